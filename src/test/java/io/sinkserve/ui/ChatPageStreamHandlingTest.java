package io.sinkserve.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The page's stream handling in Chromium against {@link ScriptedServer}: frames cut at arbitrary
 * bytes, CR LF, ping comments, an error envelope, and Stop closing the connection.
 */
class ChatPageStreamHandlingTest extends ScriptedPageTestBase {
    private static final Duration WAIT = Duration.ofSeconds(20);


    @BeforeEach
    void openPage() {
        page.open(server.url());
    }

    @Test
    void reassemblesTheReplyFromFramesCutAnywhere() {
        page.send("hello");

        page.awaitReplyDone(WAIT);
        assertEquals(ScriptedServer.REPLY, page.lastReply());
        List<String> seen = page.replySnapshots();
        assertTrue(seen.size() >= ScriptedServer.DELTAS.size() / 2,
                "the reply should grow piece by piece, saw " + seen);
        for (String s : seen) {
            assertTrue(ScriptedServer.REPLY.startsWith(s), "every intermediate text is a prefix of the reply: " + s);
        }
        assertEquals(List.of(page.sessionId()), server.sessionHeaders().subList(server.sessionHeaders().size() - 1,
                server.sessionHeaders().size()), "the chat request carries the page's session id");
        assertTrue(page.status().contains("Done (stop)"), page.status());
        assertEquals(String.valueOf(ScriptedServer.DELTAS.size()), page.stat("stat-tokens"));
        assertEquals(String.valueOf(ScriptedServer.DELTAS.size() - ScriptedServer.SINKS - ScriptedServer.WINDOW),
                page.stat("stat-evictions"));
        assertEquals("5 in (3 cached), " + ScriptedServer.DELTAS.size() + " out", page.stat("stat-usage"));
        assertEquals("12 ms", page.stat("stat-ttft"));
        assertEquals("321.6", page.stat("stat-tps"));
    }

    @Test
    void showsTheServersErrorMessage() {
        page.send(ScriptedServer.REJECTED);

        chromium.waitUpTo(WAIT).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#log .msg.error")));
        assertEquals(ScriptedServer.ERROR_MESSAGE,
                chromium.driver().findElement(By.cssSelector("#log .msg.error .text")).getText());
        assertTrue(page.sendButton().isEnabled(), "a failed request leaves the page ready to send again");
    }

    @Test
    void stopClosesTheConnection() throws InterruptedException {
        page.send(ScriptedServer.ENDLESS);
        chromium.waitUpTo(WAIT).until(d -> page.lastReply().split(" w").length > 3);

        page.stopButton().click();

        assertTrue(server.awaitEndlessClosed(20), "the server sees the client go away");
        chromium.waitUpTo(WAIT).until(d -> page.sendButton().isEnabled());
        assertTrue(page.lastReplyItem().getAttribute("class").contains("stopped"));
        assertEquals("Stopped.", page.status());
        assertEquals("prompt", chromium.driver().switchTo().activeElement().getDomAttribute("id"),
                "the keyboard focus goes back to the message box");
    }

    @Test
    void shiftEnterAddsALineAndEnterSends() {
        page.prompt().sendKeys("first line", Keys.chord(Keys.SHIFT, Keys.ENTER), "second line");
        assertEquals("first line\nsecond line", page.prompt().getDomProperty("value"));
        assertEquals(0, chromium.driver().findElements(By.cssSelector("#log .msg")).size());

        page.prompt().sendKeys(Keys.ENTER);

        page.awaitReplyDone(WAIT);
        assertEquals("first line\nsecond line",
                chromium.driver().findElement(By.cssSelector("#log .msg.user .text")).getText());
        assertEquals("", page.prompt().getDomProperty("value"));
    }
}

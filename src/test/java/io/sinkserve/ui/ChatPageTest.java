package io.sinkserve.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** The chat page in headless Chromium against the real app serving stories260K. */
@QuarkusTest
class ChatPageTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Where the screenshot goes: target/ by default, so test runs leave the tree clean; docs/screenshot.png
     *  (the README image) is refreshed with -Dsinkserve.screenshot=docs/screenshot.png. */
    private static final Path SCREENSHOT = Path.of(System.getProperty("sinkserve.screenshot", "target/screenshot.png"));

    private static HeadlessChromium chromium;
    private static ChatPage page;

    @TestHTTPResource("/")
    URL root;

    @BeforeAll
    static void startBrowser() throws Exception {
        chromium = HeadlessChromium.start(1280, 900);
        page = new ChatPage(chromium);
    }

    @AfterAll
    static void stopBrowser() {
        if (chromium != null) {
            chromium.close();
        }
    }

    @BeforeEach
    void openPage() throws Exception {
        awaitReady();
        page.open(root.toString());
    }

    /** The model loads in the background after Quarkus starts; the page is for a ready service. */
    private void awaitReady() throws Exception {
        HttpRequest ready = HttpRequest.newBuilder(root.toURI().resolve("q/health/ready")).build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            for (int i = 0; i < 1200; i++) {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the service did not become ready in 120 s");
    }

    @Test
    void streamsTheReplyAsItIsGenerated() {
        page.setField("max_tokens", "80");
        page.setField("seed", "7");

        page.send("Once upon a time");

        page.awaitReplyDone(WAIT);
        String reply = page.lastReply();
        assertTrue(!reply.isBlank(), "the model answers");
        List<String> seen = page.replySnapshots();
        assertTrue(seen.size() >= 5, "the reply should appear piece by piece, saw " + seen);
        for (String s : seen) {
            assertTrue(reply.startsWith(s), "every intermediate text is a prefix of the reply: " + s);
        }
        assertTrue(page.status().startsWith("Done ("), page.status());
        assertTrue(page.statNumber("stat-tokens") > 0, "the session has seen the prompt and the reply");
        assertTrue(page.stat("stat-ttft").endsWith(" ms"), page.stat("stat-ttft"));
        assertTrue(page.stat("stat-usage").matches("\\d+ in \\(\\d+ cached\\), \\d+ out"), page.stat("stat-usage"));
    }

    @Test
    void evictionCounterRisesWithASmallWindowAndANewSessionStartsAtZero() throws Exception {
        String defaultSession = page.sessionId();
        page.openPanel("Cache settings");
        page.setField("sinks", "4");
        page.setField("window", "32");
        page.choose("policy", "token");
        chromium.driver().findElement(By.id("apply-cache")).click();
        String session = page.awaitSessionOtherThan(defaultSession);
        assertEquals("0 / 4", page.stat("stat-sinks"));
        assertEquals("0 / 32", page.stat("stat-window"));
        page.setField("max_tokens", "200");
        page.setField("seed", "42");

        page.send("Once upon a time");
        page.awaitReplyDone(WAIT);
        long firstTurn = page.statNumber("stat-evictions");
        page.send("Tell me another story");
        page.awaitReplyDone(WAIT);
        long secondTurn = page.statNumber("stat-evictions");

        assertTrue(firstTurn > 0, "a 200-token reply overflows 4 sinks + a 32-token window");
        assertTrue(secondTurn > firstTurn, "the second turn evicts more: " + firstTurn + " then " + secondTurn);
        assertEquals("4 / 4", page.stat("stat-sinks"));
        assertEquals("32 / 32", page.stat("stat-window"));
        assertTrue(page.statNumber("stat-tokens") > 36);
        chromium.driver().executeScript("document.querySelector('.side').scrollTop = 0;");
        chromium.screenshot(SCREENSHOT);

        page.newSessionButton().click();
        assertNotEquals(session, page.awaitSessionOtherThan(session));
        assertEquals("0", page.stat("stat-evictions"));
        assertEquals("0", page.stat("stat-tokens"));
        assertEquals(0, chromium.driver().findElements(By.cssSelector("#log .msg")).size());
    }

    @Test
    void stopEndsTheStreamMidway() {
        page.slowDownChatStreams();
        page.setField("max_tokens", "200");
        page.setField("seed", "3");
        page.send("Once upon a time");
        chromium.waitUpTo(WAIT).until(d -> !page.replySnapshots().isEmpty());

        page.stopButton().click();

        chromium.waitUpTo(WAIT).until(d -> page.sendButton().isEnabled());
        assertEquals("Stopped.", page.status());
        assertTrue(page.lastReplyItem().getAttribute("class").contains("stopped"));
        String cut = page.lastReply();
        assertEquals(page.replySnapshots().getLast(), cut, "the text received before Stop stays on the page");
        int stopped = page.replies().size() - 1;

        page.send("The end");
        page.awaitReplyDone(WAIT);
        assertTrue(page.status().startsWith("Done ("), "the session takes the next turn after a stop: " + page.status());
        assertEquals(cut, page.replies().get(stopped), "nothing more arrives for the stopped reply");
    }
}

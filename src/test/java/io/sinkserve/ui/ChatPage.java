package io.sinkserve.ui;

import java.time.Duration;
import java.util.List;

import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;

/** What a person sees and does on the chat page, for the browser tests. */
final class ChatPage {
    /**
     * Records every text the newest reply shows, as the page renders it, so a test can tell a streamed
     * reply (many growing texts) from one that arrives at once.
     */
    private static final String RECORD_REPLY_SNAPSHOTS = """
            window.__replySnapshots = [];
            new MutationObserver(() => {
              const replies = document.querySelectorAll('#log .msg.assistant .text');
              if (replies.length === 0) return;
              const text = replies[replies.length - 1].textContent;
              const seen = window.__replySnapshots;
              if (text !== '' && seen[seen.length - 1] !== text) seen.push(text);
            }).observe(document.getElementById('log'), { childList: true, subtree: true, characterData: true });
            """;

    /**
     * Delivers chat completion bodies to the page in 64-byte pieces, 50 ms apart, as a slow link would:
     * the tiny test model finishes a reply faster than a person (or a test) can press Stop.
     */
    private static final String SLOW_DOWN_CHAT_STREAMS = """
            const realFetch = window.fetch;
            window.fetch = async (input, init) => {
              const response = await realFetch(input, init);
              if (!String(input).includes('chat/completions') || !response.ok) return response;
              const slow = response.body.pipeThrough(new TransformStream({
                async transform(chunk, out) {
                  for (let i = 0; i < chunk.length; i += 64) {
                    await new Promise(resolve => setTimeout(resolve, 50));
                    out.enqueue(chunk.subarray(i, i + 64));
                  }
                },
              }));
              return new Response(slow, { status: response.status, headers: response.headers });
            };
            """;

    private final HeadlessChromium chromium;
    private final ChromeDriver driver;

    ChatPage(HeadlessChromium chromium) {
        this.chromium = chromium;
        this.driver = chromium.driver();
    }

    /** Loads the page and waits until it has a session. */
    void open(String url) {
        driver.get(url);
        awaitSessionOtherThan("…");
    }

    String awaitSessionOtherThan(String previous) {
        chromium.waitUpTo(Duration.ofSeconds(30)).until(d -> {
            String id = sessionId();
            return !id.isEmpty() && !id.equals(previous) && !id.equals("…") && newSessionButton().isEnabled();
        });
        return sessionId();
    }

    /** From now until the page is loaded again, chat replies arrive slowly. */
    void slowDownChatStreams() {
        driver.executeScript(SLOW_DOWN_CHAT_STREAMS);
    }

    /** Types a message and presses Enter. */
    void send(String text) {
        driver.executeScript(RECORD_REPLY_SNAPSHOTS);
        prompt().sendKeys(text, Keys.ENTER);
    }

    void awaitReplyDone(Duration timeout) {
        chromium.waitUpTo(timeout).until(d -> !lastReplyItem().getAttribute("class").contains("streaming")
                && sendButton().isEnabled());
    }

    /** The texts the newest reply showed while it streamed, in order. */
    @SuppressWarnings("unchecked")
    List<String> replySnapshots() {
        return (List<String>) driver.executeScript("return window.__replySnapshots;");
    }

    WebElement lastReplyItem() {
        List<WebElement> replies = driver.findElements(By.cssSelector("#log .msg.assistant"));
        return replies.getLast();
    }

    String lastReply() {
        return replies().getLast();
    }

    /** Every reply's text as received (textContent, not getText(): no layout whitespace rules). */
    List<String> replies() {
        return driver.findElements(By.cssSelector("#log .msg.assistant .text")).stream()
                .map(e -> e.getDomProperty("textContent"))
                .toList();
    }

    String sessionId() {
        return driver.findElement(By.id("session-id")).getText();
    }

    String status() {
        return driver.findElement(By.id("status")).getText();
    }

    /** The text of a cache panel figure, e.g. "stat-evictions". */
    String stat(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    long statNumber(String id) {
        return Long.parseLong(stat(id));
    }

    void setField(String id, String value) {
        WebElement field = driver.findElement(By.id(id));
        field.clear();
        field.sendKeys(value);
    }

    void choose(String selectId, String value) {
        new Select(driver.findElement(By.id(selectId))).selectByValue(value);
    }

    /** Opens a collapsed settings panel by its summary text. */
    void openPanel(String summary) {
        WebElement details = driver.findElement(By.xpath("//details[summary[normalize-space()='" + summary + "']]"));
        if (details.getDomProperty("open").equals("false")) {
            details.findElement(By.tagName("summary")).click();
        }
    }

    WebElement prompt() {
        return driver.findElement(By.id("prompt"));
    }

    WebElement sendButton() {
        return driver.findElement(By.id("send"));
    }

    WebElement stopButton() {
        return driver.findElement(By.id("stop"));
    }

    WebElement newSessionButton() {
        return driver.findElement(By.id("new-session"));
    }
}

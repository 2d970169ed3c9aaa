package io.sinkserve.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** Labels, live region, focus and a phone-sized screen, checked in Chromium against {@link ScriptedServer}. */
class ChatPageLayoutTest extends ScriptedPageTestBase {
    @BeforeAll
    static void openPage() {
        page.open(server.url());
    }

    @Test
    void everyControlHasALabel() {
        List<WebElement> controls = chromium.driver().findElements(By.cssSelector("input, select, textarea"));
        assertTrue(controls.size() >= 9, "prompt, five sampling fields, three cache fields");
        for (WebElement c : controls) {
            Object labels = chromium.driver().executeScript(
                    "return Array.from(arguments[0].labels).map(l => l.textContent.trim()).join(' ');", c);
            assertTrue(!String.valueOf(labels).isBlank(), "no label for #" + c.getDomAttribute("id"));
        }
    }

    @Test
    void theConversationIsALiveLogAndThePromptHasFocus() {
        WebElement log = chromium.driver().findElement(By.id("log"));
        assertEquals("log", log.getDomAttribute("role"));
        assertEquals("polite", log.getDomAttribute("aria-live"));
        assertEquals("prompt", chromium.driver().switchTo().activeElement().getDomAttribute("id"));
    }

    @Test
    void fitsAPhoneScreenWithoutSidewaysScrolling() {
        chromium.resize(390, 844);
        try {
            long overflow = (Long) chromium.driver().executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
            assertEquals(0, overflow, "page wider than the phone screen");
            WebElement prompt = page.prompt();
            WebElement cache = chromium.driver().findElement(By.id("cache-diagram"));
            assertTrue(cache.getRect().getY() > prompt.getRect().getY(), "one column: the cache panel follows the chat");
            assertTrue(cache.getRect().getWidth() <= 390);
        } finally {
            chromium.resize(1280, 900);
        }
    }
}

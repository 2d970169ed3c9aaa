package io.sinkserve.ui;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Headless Chromium driving the chat page against a {@link ScriptedServer}, shared by a test class. */
abstract class ScriptedPageTestBase {
    static ScriptedServer server;
    static HeadlessChromium chromium;
    static ChatPage page;

    @BeforeAll
    static void startBrowserAndServer() throws Exception {
        chromium = HeadlessChromium.start(1280, 900);
        server = new ScriptedServer();
        page = new ChatPage(chromium);
    }

    @AfterAll
    static void stopBrowserAndServer() {
        if (chromium != null) {
            chromium.close();
        }
        if (server != null) {
            server.close();
        }
    }
}

package io.sinkserve.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import picocli.CommandLine;

import java.util.Arrays;

/**
 * Entry point of the packaged app. {@code serve} boots Quarkus; every other command runs the engine
 * as a plain library, without starting the HTTP stack.
 */
@QuarkusMain
public final class Main {
    private Main() {
    }

    public static void main(String... args) {
        if (args.length > 0 && args[0].equals("serve")) {
            ServeCommand serve = new ServeCommand();
            int code = ServeCommand.commandLine(serve).execute(Arrays.copyOfRange(args, 1, args.length));
            if (code == 0 && serve.checkedSettings() != null) {
                serve.checkedSettings().forEach(System::setProperty);
                Quarkus.run();
                return;
            }
            System.exit(code);
        }
        System.exit(SinkserveCommand.commandLine().execute(args));
    }
}

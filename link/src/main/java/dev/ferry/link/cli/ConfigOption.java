package dev.ferry.link.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option, mixed into each command that reads one (see {@link ConfigFile}). */
public final class ConfigOption {
    @Option(names = ConfigFile.OPTION, paramLabel = "FILE",
            description = "Read option values from FILE, a properties file whose keys are the option names without "
                    + "dashes (data-dir = /var/lib/ferry); options given here win; an unknown key is an error.")
    Path file;
}

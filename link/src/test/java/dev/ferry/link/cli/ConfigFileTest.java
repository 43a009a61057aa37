package dev.ferry.link.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class ConfigFileTest {
    @Command(name = "prog", subcommands = {Serve.class, Add.class})
    static final class Prog implements Runnable {
        @Override
        public void run() {
        }
    }

    @Command(name = "serve")
    static final class Serve implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        ConfigOption config;

        @Option(names = "--data-dir", required = true)
        Path dataDir;

        @Option(names = "--port", defaultValue = "21")
        int port;

        @Option(names = "--insecure")
        boolean insecure;

        static Serve last;

        @Override
        public Integer call() {
            last = this;
            if (port > 65535) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--port must be 1-65535, got " + port);
            }
            return 0;
        }
    }

    @Command(name = "add")
    static final class Add implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption config;

        @Option(names = "--data-dir", required = true)
        Path dataDir;

        @Option(names = "--name")
        String name;

        static Add last;

        @Override
        public Integer call() {
            last = this;
            return 0;
        }
    }

    @TempDir
    Path temp;

    record Run(int exit, String err) {
    }

    private static Run run(String... args) {
        CommandLine cl = OneLineErrors.install(ConfigFile.install(new CommandLine(new Prog())));
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        return new Run(cl.execute(args), err.toString());
    }

    private Path file(String text) throws Exception {
        return Files.writeString(temp.resolve("prog.properties"), text);
    }

    @Test
    void valuesComeFromTheFileAndSatisfyRequiredOptions() throws Exception {
        Path f = file("# comment\ndata-dir = /srv/ferry\nport=2121\ninsecure=true\nname=alice\n");
        assertThat(run("serve", "--config", f.toString()).exit()).isZero();
        assertThat(Serve.last.dataDir).isEqualTo(Path.of("/srv/ferry"));
        assertThat(Serve.last.port).isEqualTo(2121);
        assertThat(Serve.last.insecure).isTrue();
        // one file for several commands: each takes its own keys
        assertThat(run("add", "--config", f.toString()).exit()).isZero();
        assertThat(Add.last.dataDir).isEqualTo(Path.of("/srv/ferry"));
        assertThat(Add.last.name).isEqualTo("alice");
    }

    @Test
    void anOptionOnTheCommandLineWins() throws Exception {
        Path f = file("data-dir=/srv/ferry\nport=2121\n");
        assertThat(run("serve", "--port", "990", "--config", f.toString(), "--data-dir", "/elsewhere").exit()).isZero();
        assertThat(Serve.last.port).isEqualTo(990);
        assertThat(Serve.last.dataDir).isEqualTo(Path.of("/elsewhere"));
    }

    @Test
    void withoutTheFileTheDefaultsStay() {
        assertThat(run("serve", "--data-dir", "/d").exit()).isZero();
        assertThat(Serve.last.port).isEqualTo(21);
    }

    @Test
    void anUnknownKeyIsAnErrorNamingTheKeyAndTheFile() throws Exception {
        Path f = file("data-dir=/srv/ferry\nprot=2121\n");
        Run r = run("serve", "--config", f.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines().toList()).singleElement().asString()
                .startsWith("prog: --config " + f + ": unknown key 'prot' (keys are the option names without dashes: "
                        + "data-dir, insecure, name, port)");
    }

    @Test
    void aBadValueNamesTheOptionTheKeyAndTheFile() throws Exception {
        Path f = file("data-dir=/srv/ferry\nport=twenty-one\n");
        Run r = run("serve", "--config", f.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines().toList()).singleElement().asString()
                .contains("Invalid value for option '--port': 'twenty-one' is not an int")
                .contains("(set by 'port' in " + f + ")");

        Path g = file("data-dir=/srv/ferry\nport=70000\n");
        Run late = run("serve", "--config", g.toString());
        assertThat(late.err()).contains("--port must be 1-65535, got 70000 (set by 'port' in " + g + ")");
    }

    @Test
    void aMissingFileIsAnErrorNamingIt() {
        Path missing = temp.resolve("nope.properties");
        Run r = run("serve", "--config", missing.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines().toList()).singleElement().asString()
                .startsWith("prog: --config " + missing + ": no such file");
    }
}

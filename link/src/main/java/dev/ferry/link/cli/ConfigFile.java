package dev.ferry.link.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --config FILE}: default values for a command's options from a Java properties file whose
 * keys are the option names without their dashes ({@code data-dir = /var/lib/ferry}); an option given
 * on the command line wins. Picocli's own {@link CommandLine.PropertiesDefaultProvider} reads the
 * values; this class only finds the file (named by the command's {@code --config} option, which
 * picocli has parsed by the time it asks for defaults) and refuses what it would silently accept:
 * a missing or unreadable file, and a key that is no option of the program (a typo), naming the key
 * and the file. A value that does not convert is picocli's usage error naming the option, to which
 * {@link #explain} adds the key and file it came from.
 */
public final class ConfigFile implements CommandLine.IDefaultValueProvider {
    /** The option that names the file. */
    public static final String OPTION = "--config";
    private static final Set<String> NOT_KEYS = Set.of("config", "help", "version");

    private final Set<String> keys;
    private final Map<Path, CommandLine.PropertiesDefaultProvider> loaded = new ConcurrentHashMap<>();
    /** Which option got its value from which file, for error messages: "--name" -> "'name' in FILE". */
    private final Map<String, String> supplied = new ConcurrentHashMap<>();

    private ConfigFile(Set<String> keys) {
        this.keys = keys;
    }

    /**
     * Reads defaults for every command of {@code root} from the file its {@code --config} names.
     * Keys are the long options of all of {@code root}'s commands, so one file may serve several
     * ({@code ferry-relay serve} and {@code tunnel add} share {@code data-dir}); each command takes
     * the keys it has.
     */
    public static CommandLine install(CommandLine root) {
        Set<String> keys = new TreeSet<>();
        collectKeys(root, keys);
        return root.setDefaultValueProvider(new ConfigFile(keys));
    }

    private static void collectKeys(CommandLine cl, Set<String> keys) {
        for (OptionSpec option : cl.getCommandSpec().options()) {
            String key = key(option);
            if (!NOT_KEYS.contains(key)) {
                keys.add(key);
            }
        }
        cl.getSubcommands().values().forEach(sub -> collectKeys(sub, keys));
    }

    private static String key(OptionSpec option) {
        return option.longestName().replaceFirst("^-+", "");
    }

    @Override
    public String defaultValue(ArgSpec arg) throws Exception {
        if (!(arg instanceof OptionSpec option) || OPTION.equals(option.longestName())) {
            return null;
        }
        CommandSpec command = arg.command();
        OptionSpec config = command.findOption(OPTION);
        Object file = config == null ? null : config.getValue();
        if (file == null) {
            return null;
        }
        Path path = Path.of(file.toString());
        String value = loaded.computeIfAbsent(path, p -> load(p, command)).defaultValue(arg);
        if (value != null) {
            supplied.put(option.longestName(), "'" + key(option) + "' in " + path);
        }
        return value;
    }

    private CommandLine.PropertiesDefaultProvider load(Path path, CommandSpec command) {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (NoSuchFileException e) {
            throw new CommandLine.ParameterException(command.commandLine(), OPTION + " " + path + ": no such file");
        } catch (IOException | IllegalArgumentException e) {
            throw new CommandLine.ParameterException(command.commandLine(), OPTION + " " + path + ": cannot read it: "
                    + OneLineErrors.describe(e));
        }
        for (String key : properties.stringPropertyNames()) {
            if (!keys.contains(key)) {
                throw new CommandLine.ParameterException(command.commandLine(), OPTION + " " + path + ": unknown key '"
                        + key + "' (keys are the option names without dashes: " + String.join(", ", keys) + ")");
            }
        }
        return new CommandLine.PropertiesDefaultProvider(properties);
    }

    private static final Pattern FLAG = Pattern.compile("--[a-z0-9][a-z0-9-]*");

    /**
     * {@code message} with, for each option it names whose value came from a file, where it came from:
     * "Invalid value for option '--passive-ports': ... (set by 'passive-ports' in /etc/ferry/relay.properties)".
     */
    public String explain(String message) {
        StringBuilder origins = new StringBuilder();
        Set<String> seen = new TreeSet<>();
        Matcher m = FLAG.matcher(message);
        while (m.find()) {
            String origin = supplied.get(m.group());
            if (origin != null && seen.add(m.group())) {
                origins.append(origins.length() == 0 ? " (set by " : "; ").append(origin);
            }
        }
        return origins.length() == 0 ? message : message + origins + ")";
    }
}

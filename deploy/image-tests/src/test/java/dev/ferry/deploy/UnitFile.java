package dev.ferry.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The settings of a systemd unit file, read the way the test needs them: key to values, in order. */
final class UnitFile {
    private final Map<String, List<String>> settings;

    private UnitFile(Map<String, List<String>> settings) {
        this.settings = settings;
    }

    static UnitFile read(Path file) throws IOException {
        Map<String, List<String>> settings = new LinkedHashMap<>();
        String section = "";
        for (String raw : Files.readAllLines(file)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                section = line.substring(1, line.indexOf(']'));
                continue;
            }
            int eq = line.indexOf('=');
            settings.computeIfAbsent(section + "." + line.substring(0, eq).strip(), k -> new ArrayList<>())
                    .add(line.substring(eq + 1).strip());
        }
        return new UnitFile(settings);
    }

    /** The last value of {@code Section.Key}, as systemd takes it for single-valued settings. */
    String value(String key) {
        List<String> values = settings.getOrDefault(key, List.of());
        return values.isEmpty() ? null : values.get(values.size() - 1);
    }

    boolean has(String key) {
        return settings.containsKey(key);
    }
}

package dev.ferry.doctor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code --password-file}: the password is the file's first line (so it never appears on a command line or in {@code ps}). */
public final class PasswordFile {
    private PasswordFile() {
    }

    /** @throws IllegalArgumentException naming the file when it cannot be read or is empty */
    public static String read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("--password-file " + file + ": cannot read it ("
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()) + ")", e);
        }
        if (lines.isEmpty() || lines.get(0).isEmpty()) {
            throw new IllegalArgumentException("--password-file " + file + ": the first line (the password) is empty");
        }
        return lines.get(0);
    }
}

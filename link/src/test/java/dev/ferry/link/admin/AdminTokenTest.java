package dev.ferry.link.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTokenTest {
    @TempDir
    Path dir;

    @Test
    void generatedOnceIntoAnOwnerOnlyFileAndReadBackAfterwards() throws Exception {
        Path file = dir.resolve("sub").resolve("admin.token");
        AdminToken first = AdminToken.loadOrCreate(file, new SecureRandom());
        String token = Files.readString(file).strip();

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(token).hasSizeGreaterThanOrEqualTo(40).matches("[A-Za-z0-9_-]+");
        assertThat(first.acceptsHeader("Bearer " + token)).isTrue();

        AdminToken again = AdminToken.loadOrCreate(file, new SecureRandom());
        assertThat(Files.readString(file).strip()).isEqualTo(token);
        assertThat(again.acceptsHeader("Bearer " + token)).isTrue();
        assertThat(again.acceptsHeader("bearer  " + token + " ")).isTrue();
        assertThat(first.toString()).doesNotContain(token);
    }

    @Test
    void refusesWrongMissingAndOtherSchemes() {
        AdminToken token = AdminToken.loadOrCreate(dir.resolve("t"), new SecureRandom());
        assertThat(token.acceptsHeader(null)).isFalse();
        assertThat(token.acceptsHeader("")).isFalse();
        assertThat(token.acceptsHeader("Bearer")).isFalse();
        assertThat(token.acceptsHeader("Bearer ")).isFalse();
        assertThat(token.acceptsHeader("Bearer not-the-token-at-all-but-long-enough")).isFalse();
        assertThat(token.acceptsHeader("Basic YWxpY2U6c2VjcmV0")).isFalse();
        assertThat(token.acceptsHeader("Bearer " + "x".repeat(5000))).isFalse();
    }

    @Test
    void aHandWrittenTokenIsUsedAndATooShortOneRefusedNamingTheFile() throws Exception {
        Path mine = dir.resolve("mine.token");
        Files.writeString(mine, "my-own-operator-chosen-token-123\n");
        assertThat(AdminToken.loadOrCreate(mine, new SecureRandom()).acceptsHeader("Bearer my-own-operator-chosen-token-123"))
                .isTrue();

        Path shortFile = dir.resolve("short.token");
        Files.writeString(shortFile, "abc\n");
        assertThatThrownBy(() -> AdminToken.loadOrCreate(shortFile, new SecureRandom()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(shortFile.toString());
    }
}

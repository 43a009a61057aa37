package dev.ferry.relay.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DomainNameTest {
    @Test
    void caseAndTrailingDotDoNotMatter() {
        assertThat(DomainName.normalize("Alice.FTP.Example.NET.")).contains("alice.ftp.example.net");
        assertThat(DomainName.normalize(" alice.ftp.example.net ")).contains("alice.ftp.example.net");
    }

    @Test
    void idnsBecomeTheirAsciiForm() {
        assertThat(DomainName.normalize("Bücher.Example")).contains("xn--bcher-kva.example");
        assertThat(DomainName.normalize("xn--bcher-kva.example.")).contains("xn--bcher-kva.example");
    }

    @Test
    void whatCannotBeADomainIsEmpty() {
        assertThat(DomainName.normalize(null)).isEmpty();
        assertThat(DomainName.normalize("")).isEmpty();
        assertThat(DomainName.normalize(".")).isEmpty();
        assertThat(DomainName.normalize("a..b")).isEmpty();
        assertThat(DomainName.normalize("under_score.example")).isEmpty();
        assertThat(DomainName.normalize("a b.example")).isEmpty();
        assertThat(DomainName.normalize("x".repeat(64) + ".example")).isEmpty();
        assertThat(DomainName.normalize("-a.example")).isEmpty();
    }
}

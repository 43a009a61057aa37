package dev.ferry.relay.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class UserRouteTest {
    private static final Set<String> REGISTERED = Set.of("alice.ftp.example.net", "xn--bcher-kva.example");

    private static java.util.Optional<UserRoute> parse(String argument) {
        return UserRoute.parse(argument, REGISTERED::contains);
    }

    @Test
    void nameAtDomainSplitsAtTheLastAt() {
        assertThat(parse("alice@alice.ftp.example.net")).contains(new UserRoute("alice", "alice.ftp.example.net"));
        assertThat(parse("bob@mail.example@alice.ftp.example.net"))
                .contains(new UserRoute("bob@mail.example", "alice.ftp.example.net"));
    }

    @Test
    void domainBarName() {
        assertThat(parse("alice.ftp.example.net|alice")).contains(new UserRoute("alice", "alice.ftp.example.net"));
        assertThat(parse("alice.ftp.example.net|a|b")).contains(new UserRoute("a|b", "alice.ftp.example.net"));
    }

    @Test
    void domainsAreComparedAsStoredNames() {
        assertThat(parse("alice@Alice.FTP.example.NET.")).contains(new UserRoute("alice", "alice.ftp.example.net"));
        assertThat(parse("anna@bücher.example")).contains(new UserRoute("anna", "xn--bcher-kva.example"));
    }

    @Test
    void anUnregisteredSuffixIsPartOfTheName() {
        assertThat(parse("bob@mail.example")).isEmpty();
        assertThat(parse("alice")).isEmpty();
        assertThat(parse("@alice.ftp.example.net")).isEmpty();
        assertThat(parse("alice@")).isEmpty();
        assertThat(parse("|alice")).isEmpty();
        assertThat(parse("alice.ftp.example.net|")).isEmpty();
        assertThat(parse("other.example|alice")).isEmpty();
    }
}

package dev.ferry.doctor;

import java.util.Objects;

/**
 * The outcome of one doctor check, printed as one line: {@code OK   PASV: LIST answered 226 with 2 entries},
 * {@code FAIL login: login refused: ...; hint: ...}, or {@code SKIP PORT: not run (login failed)}.
 *
 * @param check the check's name ({@code connect}, {@code tls}, {@code login}, {@code PASV}, {@code EPSV}, {@code PORT})
 * @param detail what was seen, in plain words (for a failure: the cause first, e.g. {@code agent offline: ...})
 * @param hint what to look at next, or null
 */
public record CheckResult(String check, Status status, String detail, String hint) {
    public enum Status { OK, FAIL, SKIP }

    public CheckResult {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
    }

    static CheckResult ok(String check, String detail) {
        return new CheckResult(check, Status.OK, detail, null);
    }

    static CheckResult fail(String check, String reason, String hint) {
        return new CheckResult(check, Status.FAIL, reason, hint);
    }

    static CheckResult skip(String check, String why) {
        return new CheckResult(check, Status.SKIP, "not run (" + why + ")", null);
    }

    public boolean failed() {
        return status == Status.FAIL;
    }

    /** The printed line: status padded to 4 characters, the check, what was seen, and the hint. */
    public String line() {
        String head = String.format("%-4s %s: %s", status, check, detail);
        return hint == null ? head : head + "; hint: " + hint;
    }
}

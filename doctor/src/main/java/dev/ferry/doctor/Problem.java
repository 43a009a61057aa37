package dev.ferry.doctor;

/**
 * A failure in plain words: what failed ({@code agent offline}), the evidence (the reply or error
 * seen), and what to look at next.
 */
record Problem(String what, String evidence, String hint) {
    CheckResult as(String check) {
        return CheckResult.fail(check, what + ": " + evidence, hint);
    }

    /** The reply, quoted, as the evidence: {@code the relay answered "421 ..."}, {@code PASV answered "..."}. */
    static String answered(String who, String reply) {
        return who + " answered \"" + oneLine(reply) + "\"";
    }

    static String oneLine(String text) {
        return text.strip().replaceAll("\\s*\\r?\\n\\s*", " / ");
    }
}

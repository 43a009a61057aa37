package dev.ferry.link.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Named readiness checks, asked afresh on every {@code /readyz}. The program registers its checks
 * (the relay: agent endpoint, tunnel ports, tunnel store, draining); another part may add its own
 * later. A check that throws counts as failing, with the exception's message as its detail.
 */
public final class Readiness {
    /** One check's answer. */
    public record Status(boolean ok, String detail) {
        public Status {
            Objects.requireNonNull(detail, "detail");
        }

        public static Status ok(String detail) {
            return new Status(true, detail);
        }

        public static Status failing(String detail) {
            return new Status(false, detail);
        }
    }

    /** A check's name and its answer. */
    public record Result(String name, boolean ok, String detail) {
    }

    /** Every check's answer at one moment; ready when all are ok. */
    public record Report(boolean ready, List<Result> checks) {
        public Report {
            checks = List.copyOf(checks);
        }
    }

    private final List<String> order = new CopyOnWriteArrayList<>();
    private final Map<String, Supplier<Status>> checks = new ConcurrentHashMap<>();

    /** Adds (or replaces) the check {@code name}. */
    public Readiness add(String name, Supplier<Status> check) {
        Objects.requireNonNull(check, "check");
        if (name == null || !name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("readiness check name must be lower-case words joined by '-', got " + name);
        }
        if (checks.put(name, check) == null) {
            order.add(name);
        }
        return this;
    }

    /** Asks every check now, in the order they were added. */
    public Report evaluate() {
        List<Result> results = new ArrayList<>();
        boolean ready = true;
        for (String name : order) {
            Status status;
            try {
                status = checks.get(name).get();
            } catch (RuntimeException e) {
                status = Status.failing(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            ready &= status.ok();
            results.add(new Result(name, status.ok(), status.detail()));
        }
        return new Report(ready, results);
    }
}

package dev.ferry.relay.registry.etcd;

import dev.ferry.relay.registry.RegistryUnavailableException;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for one etcd call with a deadline and turns its failure into a one-line message. */
final class EtcdCalls {
    private EtcdCalls() {
    }

    /**
     * The call's result, or {@link RegistryUnavailableException} when etcd does not answer in time or no member
     * is reachable, or IllegalStateException for any other refusal (authentication, permissions).
     *
     * @param what what was being done, e.g. {@code "tunnel alice.example.net was not added"}
     */
    static <T> T await(CompletableFuture<T> call, Duration timeout, String where, String what) {
        try {
            return call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new RegistryUnavailableException(what + ": " + where + " did not answer within " + timeout.toSeconds()
                    + " s (no member reachable, or the cluster has no leader); try again once etcd is back", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException(what + ": interrupted", e);
        } catch (ExecutionException e) {
            throw failure(e.getCause(), where, what);
        }
    }

    static RuntimeException failure(Throwable cause, String where, String what) {
        Status status = Status.fromThrowable(cause);
        String detail = status.getDescription() != null ? status.getDescription() : String.valueOf(cause.getMessage());
        switch (status.getCode()) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, ABORTED -> {
                return new RegistryUnavailableException(what + ": " + where + " is unreachable or has no leader ("
                        + detail + "); try again once etcd is back", cause);
            }
            case UNAUTHENTICATED, PERMISSION_DENIED -> {
                return new IllegalStateException(what + ": " + where + " refused the request (" + detail
                        + "); check --registry-user/--registry-password-file", cause);
            }
            default -> {
                if (String.valueOf(cause.getMessage()).contains("no leader")
                        || String.valueOf(cause.getMessage()).contains("timed out")) {
                    return new RegistryUnavailableException(what + ": " + where + " has no leader (" + detail
                            + "); try again once etcd has elected one", cause);
                }
                return new IllegalStateException(what + ": " + where + ": " + detail, cause);
            }
        }
    }
}

package dev.srouter.index;

import io.grpc.Status;

/** What the gRPC-based indexes (Qdrant, Pinecone's data plane) share about failed calls: which to retry, and their wording. */
public final class GrpcErrors {
    private GrpcErrors() {}

    /**
     * The status's description, or the socket error behind gRPC's generic "io exception" (e.g.
     * "Connection refused: /127.0.0.1:6333"), or the code's name when there is neither.
     */
    public static String detail(Status status) {
        String description = status.getDescription();
        Throwable cause = status.getCause();
        if (cause != null && cause.getMessage() != null && (description == null || description.equals("io exception"))) {
            return cause.getMessage();
        }
        return description == null ? status.getCode().name() : description;
    }

    /** Whether a failed call is worth another try: the server was unreachable, overloaded, aborted the call or did not answer in time. */
    public static boolean retryable(Throwable failure) {
        Status.Code code = Status.fromThrowable(failure).getCode();
        return code == Status.Code.UNAVAILABLE || code == Status.Code.RESOURCE_EXHAUSTED || code == Status.Code.ABORTED
                || code == Status.Code.DEADLINE_EXCEEDED;
    }

    /** " (tried N times)" after a call tried more than once, else nothing: for the end of a failure message. */
    public static String tried(int attempts) {
        return attempts > 1 ? " (tried " + attempts + " times)" : "";
    }
}

package dev.srouter.index;

import io.grpc.Status;

/** One-line wording of gRPC failures for the messages of the gRPC-based indexes (Qdrant, Pinecone's data plane). */
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
}

package dev.ferry.relay.gateway;

import java.net.Inet4Address;
import java.util.Objects;

/**
 * The gateway's settings, validated once.
 *
 * @param publicAddress written into rewritten 227 replies
 * @param maxLineLength longest command line accepted (without its line end); longer ones get 500
 */
public record GatewayConfig(Inet4Address publicAddress, int maxLineLength) {
    public static final int DEFAULT_MAX_LINE_LENGTH = 4096;

    public GatewayConfig {
        Objects.requireNonNull(publicAddress, "publicAddress");
        if (maxLineLength < 64 || maxLineLength > 65536) {
            throw new IllegalArgumentException("maxLineLength must be 64-65536, got " + maxLineLength);
        }
    }

    public static GatewayConfig of(Inet4Address publicAddress) {
        return new GatewayConfig(publicAddress, DEFAULT_MAX_LINE_LENGTH);
    }
}

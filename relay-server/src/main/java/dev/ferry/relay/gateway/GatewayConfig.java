package dev.ferry.relay.gateway;

import java.net.Inet4Address;

/**
 * The gateway's settings, validated once; every error names the setting and the bad value.
 *
 * @param publicAddress written into rewritten 227 replies: the address clients reach the relay at
 * @param maxLineLength longest line read whole, without its line end: a longer command is answered
 *     500 and dropped, a longer reply line streams through unchanged and is never rewritten
 * @param tlsFeatures the relay answers AUTH, PBSZ and PROT itself: the server's 211 reply to FEAT
 *     lists them (see {@link TlsFeatures})
 */
public record GatewayConfig(Inet4Address publicAddress, int maxLineLength, boolean tlsFeatures) {
    public static final int DEFAULT_MAX_LINE_LENGTH = 4096;
    public static final int MIN_LINE_LENGTH = 64;
    public static final int MAX_LINE_LENGTH = 65536;

    public GatewayConfig {
        if (publicAddress == null) {
            throw new IllegalArgumentException("publicAddress must be set");
        }
        if (publicAddress.isAnyLocalAddress() || publicAddress.isMulticastAddress()) {
            throw new IllegalArgumentException("publicAddress must be an address clients can connect to, got "
                    + publicAddress.getHostAddress());
        }
        if (maxLineLength < MIN_LINE_LENGTH || maxLineLength > MAX_LINE_LENGTH) {
            throw new IllegalArgumentException("maxLineLength must be " + MIN_LINE_LENGTH + "-" + MAX_LINE_LENGTH
                    + ", got " + maxLineLength);
        }
    }

    /** The defaults for everything but the public address. */
    public static GatewayConfig of(Inet4Address publicAddress) {
        return builder().publicAddress(publicAddress).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects settings; {@link #build()} validates them. */
    public static final class Builder {
        private Inet4Address publicAddress;
        private int maxLineLength = DEFAULT_MAX_LINE_LENGTH;
        private boolean tlsFeatures;

        private Builder() {
        }

        public Builder publicAddress(Inet4Address publicAddress) {
            this.publicAddress = publicAddress;
            return this;
        }

        public Builder maxLineLength(int maxLineLength) {
            this.maxLineLength = maxLineLength;
            return this;
        }

        public Builder tlsFeatures(boolean tlsFeatures) {
            this.tlsFeatures = tlsFeatures;
            return this;
        }

        public GatewayConfig build() {
            return new GatewayConfig(publicAddress, maxLineLength, tlsFeatures);
        }
    }
}

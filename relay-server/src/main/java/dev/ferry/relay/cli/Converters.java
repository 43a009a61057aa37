package dev.ferry.relay.cli;

import dev.ferry.link.LinkWindow;
import dev.ferry.link.flow.MemoryBudget;
import dev.ferry.relay.config.HostPort;
import dev.ferry.relay.config.RelayConfig;
import dev.ferry.relay.data.PortRange;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli converters; picocli puts the flag's name in front of each message. */
final class Converters {
    private Converters() {
    }

    /**
     * A converter made of a parse method: its {@link IllegalArgumentException} becomes picocli's
     * error, without a leading flag name (picocli puts the flag in front itself).
     */
    private abstract static class Parsed<T> implements ITypeConverter<T> {
        private final Function<String, T> parser;

        Parsed(Function<String, T> parser) {
            this.parser = parser;
        }

        @Override
        public T convert(String value) {
            try {
                return parser.apply(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage().replaceFirst("^--[a-z-]+ ", ""));
            }
        }
    }

    static final class PortRangeConverter extends Parsed<PortRange> {
        PortRangeConverter() {
            super(PortRange::parse);
        }
    }

    static final class LinkWindowConverter extends Parsed<LinkWindow> {
        LinkWindowConverter() {
            super(LinkWindow::parse);
        }
    }

    static final class MemoryBudgetConverter extends Parsed<MemoryBudget> {
        MemoryBudgetConverter() {
            super(MemoryBudget::parse);
        }
    }

    static final class HostPortConverter extends Parsed<HostPort> {
        HostPortConverter() {
            super(HostPort::parse);
        }
    }

    /** {@code --ftp-listen}: an address, or none ({@code off}). */
    record FtpListen(HostPort address) {
    }

    static final class FtpListenConverter extends Parsed<FtpListen> {
        FtpListenConverter() {
            super(text -> {
                if (text.equalsIgnoreCase("off")) {
                    return new FtpListen(null);
                }
                HostPort address = HostPort.parse(text);
                if (address.port() < 1) {
                    throw new IllegalArgumentException("port must be 1-65535 (or 'off' for no shared port), got '" + text + "'");
                }
                return new FtpListen(address);
            });
        }
    }

    static final class PublicAddressConverter implements ITypeConverter<Inet4Address> {
        @Override
        public Inet4Address convert(String value) {
            try {
                return RelayConfig.parsePublicAddress(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("must be an IPv4 address (it goes into PASV replies), got '" + value + "'");
            }
        }
    }

    static final class AddressConverter implements ITypeConverter<InetAddress> {
        @Override
        public InetAddress convert(String value) {
            if (!value.matches("[0-9.]+|[0-9a-fA-F:]+")) {
                throw new TypeConversionException("must be an IP address, got '" + value + "'");
            }
            try {
                return InetAddress.getByName(value);
            } catch (UnknownHostException e) {
                throw new TypeConversionException("must be an IP address, got '" + value + "'");
            }
        }
    }
}

package dev.ferry.relay.cli;

import dev.ferry.link.LinkWindow;
import dev.ferry.relay.config.HostPort;
import dev.ferry.relay.config.RelayConfig;
import dev.ferry.relay.data.PortRange;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli converters; picocli puts the flag's name in front of each message. */
final class Converters {
    private Converters() {
    }

    static final class PortRangeConverter implements ITypeConverter<PortRange> {
        @Override
        public PortRange convert(String value) {
            try {
                return PortRange.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class LinkWindowConverter implements ITypeConverter<LinkWindow> {
        @Override
        public LinkWindow convert(String value) {
            try {
                return LinkWindow.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage().replace("--link-window ", ""));
            }
        }
    }

    static final class HostPortConverter implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            try {
                return HostPort.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
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

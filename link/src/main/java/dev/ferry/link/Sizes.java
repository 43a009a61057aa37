package dev.ferry.link;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes on the command line: {@code 16MiB}, {@code 16m}, {@code 512KiB}, {@code 1GiB} or plain bytes (binary units). */
public final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,13})\\s*(|b|k|kib|kb|m|mib|mb|g|gib|gb)");

    private Sizes() {
    }

    /**
     * @param flag names the setting in the error, e.g. {@code --link-window}
     * @param range how the allowed range reads in the error, e.g. {@code between 64KiB and 1GiB}
     * @throws IllegalArgumentException naming the flag and the text, when it is not a size or not in [min, max]
     */
    public static long parse(String flag, String text, long min, long max, String range) {
        Matcher m = text == null ? null : SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException(flag + " must be a size such as 16MiB, 512KiB or 1GiB, got '" + text + "'");
        }
        long value = Long.parseLong(m.group(1));
        long unit = switch (m.group(2)) {
            case "k", "kib", "kb" -> 1L << 10;
            case "m", "mib", "mb" -> 1L << 20;
            case "g", "gib", "gb" -> 1L << 30;
            default -> 1L;
        };
        if (value > max / unit || value * unit < min) {
            throw new IllegalArgumentException(flag + " must be " + range + ", got '" + text + "'");
        }
        return value * unit;
    }

    /** {@code 16MiB}, {@code 512KiB} or {@code 1000B}: the largest binary unit that divides the size. */
    public static String format(long bytes) {
        if (bytes % (1L << 30) == 0 && bytes != 0) {
            return (bytes >> 30) + "GiB";
        }
        if (bytes % (1 << 20) == 0 && bytes != 0) {
            return (bytes >> 20) + "MiB";
        }
        return bytes % 1024 == 0 && bytes != 0 ? (bytes >> 10) + "KiB" : bytes + "B";
    }
}

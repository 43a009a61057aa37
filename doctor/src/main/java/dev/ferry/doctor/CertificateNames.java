package dev.ferry.doctor;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** The DNS names and IP addresses a server certificate is valid for (its subjectAltName), and matching a name against them. */
final class CertificateNames {
    private static final int DNS = 2;
    private static final int IP = 7;

    private CertificateNames() {
    }

    static List<String> of(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alt = certificate.getSubjectAlternativeNames();
            if (alt != null) {
                for (List<?> entry : alt) {
                    int type = (Integer) entry.get(0);
                    if (type == DNS || type == IP) {
                        names.add(String.valueOf(entry.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // unreadable extension: no names
        }
        return names;
    }

    /** Whether {@code name} is one of {@code names}, a wildcard standing for exactly one leftmost label. */
    static boolean matches(List<String> names, String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        for (String n : names) {
            String candidate = n.toLowerCase(Locale.ROOT);
            if (candidate.equals(wanted)) {
                return true;
            }
            int dot = wanted.indexOf('.');
            if (candidate.startsWith("*.") && dot > 0 && wanted.substring(dot).equals(candidate.substring(1))) {
                return true;
            }
        }
        return false;
    }
}

package dev.pier.proxy;

import io.vertx.core.transport.Transport;
import java.util.Locale;

/**
 * Which Netty transport carries every socket of the data plane ({@code --transport}): the proxy
 * listeners, the upstream pool and Vert.x's clients all run on the event loops it makes.
 */
public enum IoTransport {
    /** Native epoll where it loads, else NIO: Pier's choice before the flag existed. */
    AUTO,
    /** Native epoll; refused at start where it cannot load. */
    EPOLL,
    /** io_uring; refused at start where it cannot load (old kernel, io_uring_disabled, seccomp). */
    IO_URING,
    /** Java's NIO selector: no native code. */
    NIO;

    /** The flag's spelling of this choice. */
    public String flagValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The choice a flag value names, or null when it names none. */
    public static IoTransport parse(String value) {
        for (IoTransport t : values()) {
            if (t.flagValue().equals(value.strip().toLowerCase(Locale.ROOT).replace('-', '_'))) return t;
        }
        return null;
    }

    /**
     * The Vert.x transport this choice means here. An explicit choice that cannot load is an error
     * naming Netty's reason: a user who asked for io_uring and got epoll would measure the wrong thing.
     */
    public Transport resolve() {
        return switch (this) {
            case AUTO -> Transport.EPOLL.available() ? Transport.EPOLL : Transport.NIO;
            case EPOLL -> loadable(Transport.EPOLL);
            case IO_URING -> loadable(Transport.IO_URING);
            case NIO -> Transport.NIO;
        };
    }

    private Transport loadable(Transport transport) {
        if (!transport.available()) {
            throw new IllegalStateException("the " + flagValue() + " transport is not available here: " + unavailableReason(transport));
        }
        return transport;
    }

    /** Why {@code transport} cannot load here (Netty's cause and what caused it), or "available". */
    public static String unavailableReason(Transport transport) {
        if (transport.available()) return "available";
        StringBuilder why = new StringBuilder();
        for (Throwable t = transport.unavailabilityCause(); t != null && why.length() < 500; t = t.getCause()) {
            String message = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
            if (why.indexOf(message) >= 0) continue;
            if (!why.isEmpty()) why.append(": ");
            why.append(message);
        }
        return why.isEmpty() ? "unknown reason" : why.toString();
    }
}

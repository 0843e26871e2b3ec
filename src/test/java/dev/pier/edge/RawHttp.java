package dev.pier.edge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** One HTTP/1 exchange over a plain socket, for requests no HTTP client library would send. */
public final class RawHttp {
    private RawHttp() {
    }

    /**
     * What came back: the status of the first response (0 when none came), the raw bytes, and
     * whether the server closed the connection within the wait.
     */
    public record Answer(int status, String text, boolean closed) {
        public String describe() {
            return (status == 0 ? "none" : Integer.toString(status)) + (closed ? "+close" : "");
        }
    }

    /** Sends {@code bytes} on a fresh connection and reads until the server closes or {@code waitMs} pass quietly. */
    public static Answer exchange(int port, byte[] bytes, int waitMs) throws IOException {
        try (Socket socket = new Socket()) {
            // a proxy whose accept queue is full leaves the connect hanging: bound it too
            socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), waitMs);
            socket.setSoTimeout(waitMs);
            try {
                socket.getOutputStream().write(bytes);
                socket.getOutputStream().flush();
            } catch (IOException e) {
                // the server may close before it read everything (a 431 for a huge head): read what it said
            }
            return read(socket.getInputStream());
        }
    }

    /** Reads until EOF or a quiet {@code SO_TIMEOUT}; a reset counts as a close. */
    public static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        boolean closed;
        byte[] buf = new byte[8192];
        try {
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    closed = true;
                    break;
                }
                all.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            closed = false;
        } catch (IOException e) { // connection reset
            closed = true;
        }
        String text = all.toString(StandardCharsets.ISO_8859_1);
        return new Answer(status(text), text, closed);
    }

    static int status(String text) {
        if (!text.startsWith("HTTP/1.") || text.length() < 12) return 0;
        try {
            return Integer.parseInt(text.substring(9, 12));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}

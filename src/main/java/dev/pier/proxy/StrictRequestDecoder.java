package dev.pier.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.http.Http1ServerConfig;
import io.vertx.core.http.impl.http1.VertxHttpRequestDecoder;
import java.util.List;

/**
 * Vert.x's HTTP/1 request decoder, refusing obs-fold: Netty joins a header line that starts with a
 * space or tab to the one before (RFC 9112 allows that or a 400); Pier answers 400, as nginx does,
 * so that no two parsers on the path can disagree about it. Each decode step that reads a head
 * consumes head bytes only, so the bytes it consumed are scanned for a line that starts with
 * whitespace after the request line, and for a request line that names no HTTP version.
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {
    private boolean inHead = true;
    private boolean atLineStart = true;
    private int line;
    private boolean folded;
    /** How much of "HTTP/" the request line has shown so far (5: it names a version). */
    private int versionMatched;
    private static final byte[] VERSION_PREFIX = {'H', 'T', 'T', 'P', '/'};

    StrictRequestDecoder(Http1ServerConfig config) {
        super(config);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        int from = buffer.readerIndex();
        boolean head = inHead;
        int before = out.size();
        super.decode(ctx, buffer, out);
        if (head) scan(buffer, from, buffer.readerIndex());
        for (int i = before; i < out.size(); i++) {
            Object msg = out.get(i);
            if (msg instanceof HttpRequest request) {
                if (request.decoderResult().isFailure() && versionMatched < VERSION_PREFIX.length) {
                    // Not an HTTP/1 request line at all (another protocol, a broken HTTP/2 preface,
                    // HTTP/0.9): there is no HTTP/1 answer to give, only the close.
                    request.setDecoderResult(DecoderResult.failure(new EdgeRejection(0, "not an HTTP/1 request line")));
                } else if (folded && request.decoderResult().isSuccess()) {
                    request.setDecoderResult(DecoderResult.failure(new EdgeRejection(400, "folded header line (obs-fold)")));
                }
                inHead = false;
                folded = false;
                atLineStart = true;
                line = 0;
                versionMatched = 0;
            }
            if (msg instanceof LastHttpContent) inHead = true;
        }
    }

    private void scan(ByteBuf buffer, int from, int to) {
        for (int i = from; i < to && !folded; i++) {
            byte b = buffer.getByte(i);
            if (atLineStart) {
                atLineStart = false;
                if (line > 0 && (b == ' ' || b == '\t')) folded = true;
                if (line == 0 && (b == '\r' || b == '\n')) { // empty lines before a request line are skipped
                    atLineStart = b == '\n';
                    continue;
                }
            }
            if (line == 0 && versionMatched < VERSION_PREFIX.length) {
                versionMatched = b == VERSION_PREFIX[versionMatched] ? versionMatched + 1 : (b == 'H' ? 1 : 0);
            }
            if (b == '\n') {
                atLineStart = true;
                line++;
            }
        }
    }
}

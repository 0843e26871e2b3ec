package dev.pier.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Switches the log format and level once the flags are parsed. */
final class Logging {
    private Logging() {
    }

    enum Format { text, json }

    enum LogLevel { error, warn, info, debug, trace }

    static void configure(Format format, LogLevel level) {
        // Vert.x logs through SLF4J too, so its lines share the format.
        System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        if (format == Format.json) {
            context.reset();
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            try {
                configurator.doConfigure(Logging.class.getResource("/logback-json.xml"));
            } catch (JoranException e) {
                throw new IllegalStateException("cannot configure JSON logging", e);
            }
        }
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level.name(), Level.INFO));
    }
}

package io.quorumkv.statemachine.storage;

import org.rocksdb.InfoLogLevel;
import org.rocksdb.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends RocksDB's info log to slf4j. Used where RocksDB must not create its {@code LOG} file, i.e. when
 * a directory is opened only to be read (a checkpoint that is, or is about to become, a snapshot).
 */
final class ForwardingRocksLogger extends Logger {

  private static final org.slf4j.Logger LOG = LoggerFactory.getLogger("org.rocksdb");

  ForwardingRocksLogger(InfoLogLevel level) {
    super(level);
  }

  @Override
  protected void log(InfoLogLevel level, String message) {
    switch (level) {
      case DEBUG_LEVEL -> LOG.debug(message);
      case INFO_LEVEL, HEADER_LEVEL -> LOG.info(message);
      case WARN_LEVEL -> LOG.warn(message);
      default -> LOG.error(message);
    }
  }
}

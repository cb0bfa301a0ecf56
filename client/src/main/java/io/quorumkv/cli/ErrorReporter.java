package io.quorumkv.cli;

import io.quorumkv.client.IndexExistsException;
import io.quorumkv.client.IndexNotFoundException;
import io.quorumkv.client.InvalidRequestException;
import io.quorumkv.client.NotAnIntegerException;
import io.quorumkv.client.QuorumKvException;
import io.quorumkv.client.UnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** Turns a failed command into one line on stderr (a stack trace with --verbose) and an exit code. */
final class ErrorReporter implements IExecutionExceptionHandler {
  private final GlobalOptions global;

  ErrorReporter(GlobalOptions global) {
    this.global = global;
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult) {
    commandLine.getErr().println("quorumkv: " + describe(e));
    if (global.verbose) {
      e.printStackTrace(commandLine.getErr());
    }
    commandLine.getErr().flush();
    return exitCode(e);
  }

  static String describe(Exception e) {
    if (e instanceof NotAnIntegerException) {
      return "not an integer: " + e.getMessage();
    }
    if (e instanceof InvalidRequestException) {
      return "invalid request: " + e.getMessage();
    }
    if (e instanceof IndexNotFoundException) {
      return "no such index: " + e.getMessage();
    }
    if (e instanceof IndexExistsException) {
      return "index exists with another spec: " + e.getMessage();
    }
    if (e instanceof UnavailableException u) {
      return "unavailable: "
          + u.getMessage()
          + (u.outcomeUnknown() ? " (the write may or may not have been applied)" : "");
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  static int exitCode(Exception e) {
    if (e instanceof InvalidRequestException
        || e instanceof NotAnIntegerException
        || e instanceof IndexExistsException) {
      return ExitCodes.INVALID_REQUEST;
    }
    if (e instanceof IndexNotFoundException) {
      return ExitCodes.NOT_FOUND;
    }
    if (e instanceof UnavailableException) {
      return ExitCodes.UNAVAILABLE;
    }
    if (e instanceof QuorumKvException) {
      return ExitCodes.OTHER;
    }
    // Raised by option values the parser could not check, e.g. a malformed endpoint.
    return e instanceof IllegalArgumentException ? ExitCodes.USAGE : ExitCodes.OTHER;
  }
}

package dev.ferry.link.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Every command-line failure as one line on stderr, {@code PROGRAM: what went wrong}, and an exit
 * code: 2 for a bad command line (with a pointer to {@code --help} instead of the whole usage text),
 * 1 for anything that fails while running. Never a stack trace.
 */
public final class OneLineErrors implements IParameterExceptionHandler, IExecutionExceptionHandler {
    private final String program;

    private OneLineErrors(String program) {
        this.program = program;
    }

    /** Installs the handlers on {@code commandLine} and returns it. */
    public static CommandLine install(CommandLine commandLine) {
        OneLineErrors handler = new OneLineErrors(commandLine.getCommandName());
        return commandLine.setParameterExceptionHandler(handler).setExecutionExceptionHandler(handler);
    }

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        String message = cl.getDefaultValueProvider() instanceof ConfigFile file ? file.explain(e.getMessage()) : e.getMessage();
        print(cl, message + " (see '" + cl.getCommandSpec().qualifiedName() + " --help')");
        return cl.getCommandSpec().exitCodeOnInvalidInput();
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cl, ParseResult parsed) {
        print(cl, describe(e));
        return cl.getCommandSpec().exitCodeOnExecutionException();
    }

    /** The message of {@code e} followed by the messages of its causes that add something. */
    public static String describe(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message == null || message.isBlank()) {
                message = t.getClass().getSimpleName();
            }
            if (text.indexOf(message) < 0) {
                text.append(text.length() == 0 ? "" : ": ").append(message);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return text.toString().replaceAll("\\s*\\R\\s*", " ");
    }

    private void print(CommandLine cl, String message) {
        PrintWriter err = cl.getErr();
        err.println(program + ": " + message);
        err.flush();
    }
}

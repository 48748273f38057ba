package dev.srouter.cli;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every long option {@code --some-name} takes its default from {@code SROUTER_SOME_NAME} when
 * that is set; a command-line value still wins. Secrets are never options, so never read here.
 * The options that approve or force something destructive ({@link #NEVER_FROM_ENVIRONMENT}) are
 * taken from the command line only: an exported {@code SROUTER_YES=1} must not approve every plan
 * of every later run.
 */
final class EnvDefaults implements IDefaultValueProvider {
    static final java.util.Set<String> NEVER_FROM_ENVIRONMENT = java.util.Set.of("--yes", "--force", "--reembed", "--allow-empty",
            "--lease");

    private final Map<String, String> env;

    EnvDefaults(Map<String, String> env) {
        this.env = env;
    }

    static String variableFor(String longName) {
        return "SROUTER_" + longName.replaceFirst("^--", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    private static boolean isBoolean(OptionSpec option) {
        return option.type() == boolean.class || option.type() == Boolean.class;
    }

    /** Flags accept the spellings people put in environments: 1/0, yes/no, on/off, true/false. */
    private static String booleanValue(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "1", "yes", "y", "on", "true" -> "true";
            case "0", "no", "n", "off", "false" -> "false";
            default -> value; // picocli then reports the bad value, naming the option
        };
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (argSpec instanceof OptionSpec option && !NEVER_FROM_ENVIRONMENT.contains(option.longestName())) {
            String value = env.get(variableFor(option.longestName()));
            if (value != null && !value.isEmpty()) {
                return isBoolean(option) ? booleanValue(value) : value;
            }
        }
        return argSpec.defaultValue();
    }
}

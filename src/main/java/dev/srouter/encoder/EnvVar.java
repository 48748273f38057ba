package dev.srouter.encoder;

import java.util.Map;

/**
 * A setting read from the first of its documented environment variables that is set, with the variable's name, so
 * that messages can name the variable the user actually set (a key from {@code CO_API_KEY} is reported as such).
 *
 * @param name the variable the value came from; when none is set, all of them, e.g. {@code COHERE_API_KEY or CO_API_KEY}
 * @param value the stripped value, or null when none is set
 */
record EnvVar(String name, String value) {

    /** The first of {@code names} (in the documented order) whose value in {@code env} is not blank. */
    static EnvVar first(Map<String, String> env, String... names) {
        for (String n : names) {
            String v = env.get(n);
            if (v != null && !v.isBlank()) {
                return new EnvVar(n, v.strip());
            }
        }
        return new EnvVar(String.join(" or ", names), null);
    }

    /** {@code given} when it is not blank, else the first set variable's value, else {@code fallback}. */
    static String orFirst(String given, Map<String, String> env, String fallback, String... names) {
        if (given != null && !given.isBlank()) {
            return given.strip();
        }
        String v = first(env, names).value();
        return v != null ? v : fallback;
    }

    /** Never shows the value: it may be a key. */
    @Override
    public String toString() {
        return "EnvVar[name=" + name + ", value=" + (value == null ? "none" : "***") + "]";
    }
}

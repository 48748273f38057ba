package dev.srouter.index.postgres;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A JDBC connection whose statements pass through a hook before they run: to count what goes to the server (the
 * bench) or to break the connection at a chosen statement (the fault tests). Everything else goes to the real one.
 */
public final class JdbcHooks {
    private JdbcHooks() {}

    /** Called before each execute of a statement, and before each commit with the SQL {@code "COMMIT"}. */
    @FunctionalInterface
    public interface Hook {
        void beforeExecute(String sql, String method) throws SQLException;
    }

    public static Connection intercept(Connection real, Hook hook) {
        return (Connection) Proxy.newProxyInstance(JdbcHooks.class.getClassLoader(), new Class<?>[] {Connection.class}, (p, m, a) -> {
            if (m.getName().equals("commit")) {
                hook.beforeExecute("COMMIT", "commit");
            }
            Object result = invoke(real, m, a);
            if (result instanceof PreparedStatement ps && m.getName().equals("prepareStatement")) {
                String sql = (String) a[0];
                return statement(PreparedStatement.class, ps, (m2, a2) -> sql, hook);
            }
            if (result instanceof Statement st && m.getName().equals("createStatement")) {
                return statement(Statement.class, st, (m2, a2) -> (String) a2[0], hook);
            }
            return result;
        });
    }

    private interface SqlOf {
        String of(Method method, Object[] args);
    }

    private static <T> T statement(Class<T> type, T real, SqlOf sql, Hook hook) {
        return type.cast(Proxy.newProxyInstance(JdbcHooks.class.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> {
            if (m.getName().startsWith("execute")) {
                hook.beforeExecute(sql.of(m, a), m.getName());
            }
            return invoke(real, m, a);
        }));
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}

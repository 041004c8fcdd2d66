package dev.polaris.opensearch;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * Starts one OpenSearch 2.19 node in this JVM, with the plugins that are on the classpath
 * (netty4 for HTTP/transport, analysis-common for ngram/edge_ngram/cjk analysis).
 *
 * Settings come as arguments in the form {@code -Ekey=value}, as with the real CLI.
 * This is a local development node only: it skips the Bootstrap checks (no SecurityManager,
 * no jar-hell check, no max_map_count check), so it must only listen on loopback.
 */
public final class Launcher {

    /** In 2.19 the constructor that takes classpath plugins is protected: a subclass exposes it. */
    static final class ClasspathPluginNode extends Node {
        ClasspathPluginNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    public static void main(String[] args) throws Exception {
        Settings.Builder builder = Settings.builder();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("-E") || eq < 3) {
                System.err.println("usage: Launcher -Ekey=value ... (got: " + arg + ")");
                System.exit(64);
            }
            builder.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        Settings input = builder.build();
        if (!input.hasValue("path.home")) {
            System.err.println("Launcher: -Epath.home=... is required");
            System.exit(64);
        }

        Environment environment = InternalSettingsPreparer.prepareEnvironment(input, Map.of(), null, () -> "polaris-local");
        LogConfigurator.registerErrorListener();
        // Log at INFO to the console (the launcher's log file): install our log4j2.properties
        // into the node's config dir if it has none, then configure from there.
        Path configDir = environment.configFile();
        Files.createDirectories(configDir);
        Path log4jConfig = configDir.resolve("log4j2.properties");
        if (!Files.exists(log4jConfig)) {
            try (InputStream in = Launcher.class.getResourceAsStream("/polaris-log4j2.properties")) {
                Files.copy(in, log4jConfig);
            }
        }
        LogConfigurator.setNodeName(Node.NODE_NAME_SETTING.get(environment.settings()));
        LogConfigurator.configure(environment);

        Node node = new ClasspathPluginNode(environment, List.of(Netty4Plugin.class, CommonAnalysisPlugin.class));
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                closed.countDown();
            }
        }, "polaris-opensearch-shutdown"));

        try {
            node.start();
        } catch (Throwable t) {
            System.err.println("Launcher: node failed to start");
            t.printStackTrace();
            System.exit(1);
        }
        System.out.println("polaris: opensearch node started");
        // Node threads are daemon-ish; keep the JVM alive until a signal arrives.
        closed.await();
    }
}

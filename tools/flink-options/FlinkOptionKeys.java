// Prints, as JSON, every configuration option key that a Flink classpath defines and which of them
// are deprecated, read from Flink's own ConfigOption definitions (not from its docs).
//
//   javac -cp '<flink classpath>' -d out FlinkOptionKeys.java
//   java -cp 'out:<flink classpath>' FlinkOptionKeys [expectedFlinkVersion] > keys.json
//
// How: every org.apache.flink.* class file in the jars of java.class.path whose constant pool names
// the type ConfigOption (a cheap byte search, so that the ~10k classes without options are never
// loaded) is loaded, and each of its static fields of type ConfigOption is read by reflection.
// Classes that cannot be loaded or initialised on this classpath (missing optional dependencies) are
// skipped and counted. Per option:
//   - key()                          → known; deprecated when the field carries @Deprecated
//   - fallbackKeys(), isDeprecated() → known; deprecated keys get replacedBy = the option's key
//   - type Map (not a list)          → the key also has a prefix form: Flink reads `<key>.<k>: v`
//                                      as an entry of the map (ConfigurationUtils.canBePrefixMap)
//   - @Documentation.SuffixOption(p) → the key is relative to a templated prefix such as
//                                      `metrics.reporter.<name>`; listed under "templatedOptions"
//                                      as `<p>.<key>`, never as a top-level key; so are keys that
//                                      hold a placeholder themselves (`external-resource.<resource_name>.amount`)
// A key declared several times is deprecated only if every declaration deprecates it.
//
// Only APIs present in both Flink 1.20 and 2.x are called directly; ConfigOption's package-private
// getClazz()/isList() are reached by reflection. Output goes to the real stdout; anything Flink's
// static initialisers print while scanning goes to stderr.

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import org.apache.flink.annotation.docs.Documentation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;

public final class FlinkOptionKeys {

    private static final byte[] CONFIG_OPTION_DESCRIPTOR =
            "Lorg/apache/flink/configuration/ConfigOption;".getBytes(StandardCharsets.UTF_8);

    /** Every declaration of one key: as an option's own key, or as a fallback key of another. */
    private static final class KeyInfo {
        int declarations;
        int deprecatedDeclarations;
        final TreeSet<String> replacedBy = new TreeSet<>();
        final TreeSet<String> fallbackFor = new TreeSet<>();
        final TreeSet<String> declaredIn = new TreeSet<>();
        boolean prefixMap;
        boolean deprecatedField;

        boolean deprecated() {
            return declarations > 0 && deprecatedDeclarations == declarations;
        }
    }

    private final Map<String, KeyInfo> keys = new TreeMap<>();
    private final Map<String, KeyInfo> templatedOptions = new TreeMap<>();
    private final TreeSet<String> skippedClasses = new TreeSet<>();
    private int scannedClassFiles;
    private int candidateClasses;
    private int optionFields;
    private Method getClazz;
    private Method isList;

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        System.setOut(System.err); // keep stdout for the JSON only
        FlinkOptionKeys scanner = new FlinkOptionKeys();
        String json = scanner.run(args.length > 0 ? args[0] : null);
        out.print(json);
        out.flush();
        System.exit(0); // Flink's static initialisers may leave non-daemon threads behind
    }

    private String run(String expectedVersion) throws Exception {
        long started = System.nanoTime();
        getClazz = accessible(ConfigOption.class.getDeclaredMethod("getClazz"));
        isList = accessible(ConfigOption.class.getDeclaredMethod("isList"));
        ClassLoader loader = FlinkOptionKeys.class.getClassLoader();
        List<String> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.endsWith(".jar") && new File(entry).isFile()) jars.add(entry);
        }
        for (String jar : jars) scanJar(jar, loader);
        String version = flinkVersion(loader);
        if (expectedVersion != null && !expectedVersion.equals(version)) {
            throw new IllegalStateException(
                    "expected Flink " + expectedVersion + " on the classpath, found " + version);
        }
        // A deprecated @Deprecated field's key has no structural replacement; if a current option
        // lists that key as one of its fallback keys, that option is the replacement.
        for (Map.Entry<String, KeyInfo> e : keys.entrySet()) {
            KeyInfo info = e.getValue();
            if (info.deprecated() && info.replacedBy.isEmpty()) {
                for (String owner : info.fallbackFor) {
                    KeyInfo ownerInfo = keys.get(owner);
                    if (ownerInfo != null && !ownerInfo.deprecated()) info.replacedBy.add(owner);
                }
            }
        }
        System.err.printf(
                "FlinkOptionKeys: Flink %s, %d jars, %d class files, %d candidate classes, %d ConfigOption fields, %d keys, %d skipped classes, %d ms%n",
                version, jars.size(), scannedClassFiles, candidateClasses, optionFields, keys.size(),
                skippedClasses.size(), (System.nanoTime() - started) / 1_000_000);
        return toJson(version);
    }

    private static Method accessible(Method m) {
        m.setAccessible(true);
        return m;
    }

    private static String flinkVersion(ClassLoader loader) {
        try {
            Class<?> info = Class.forName("org.apache.flink.runtime.util.EnvironmentInformation", true, loader);
            return String.valueOf(info.getMethod("getVersion").invoke(null));
        } catch (ReflectiveOperationException | LinkageError e) {
            return "unknown";
        }
    }

    private void scanJar(String jarPath, ClassLoader loader) throws IOException {
        try (JarFile jar = new JarFile(jarPath)) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (!name.startsWith("org/apache/flink/") || !name.endsWith(".class")) continue;
                if (name.startsWith("org/apache/flink/shaded/")) continue;
                scannedClassFiles++;
                byte[] bytes;
                try (InputStream in = jar.getInputStream(entry)) {
                    bytes = readAll(in);
                }
                if (!contains(bytes, CONFIG_OPTION_DESCRIPTOR)) continue;
                candidateClasses++;
                String className = name.substring(0, name.length() - ".class".length()).replace('/', '.');
                scanClass(className, loader);
            }
        }
    }

    private void scanClass(String className, ClassLoader loader) {
        Field[] fields;
        try {
            Class<?> type = Class.forName(className, false, loader);
            fields = type.getDeclaredFields();
        } catch (ClassNotFoundException | LinkageError e) {
            skippedClasses.add(className);
            return;
        }
        for (Field field : fields) {
            if (!Modifier.isStatic(field.getModifiers())) continue;
            if (!ConfigOption.class.isAssignableFrom(field.getType())) continue;
            ConfigOption<?> option;
            try {
                field.setAccessible(true);
                option = (ConfigOption<?>) field.get(null);
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                skippedClasses.add(className);
                return; // the class failed to initialise; its other fields will too
            }
            if (option == null) continue;
            optionFields++;
            record(className + "." + field.getName(), field, option);
        }
    }

    private void record(String where, Field field, ConfigOption<?> option) {
        boolean deprecatedField = field.isAnnotationPresent(Deprecated.class);
        String suffixOf = suffixOptionPrefix(field);
        String key = option.key();
        if (suffixOf != null) key = suffixOf + "." + key;
        Map<String, KeyInfo> target = key.contains("<") ? templatedOptions : keys;
        KeyInfo own = target.computeIfAbsent(key, k -> new KeyInfo());
        own.declarations++;
        own.declaredIn.add(where);
        if (deprecatedField) {
            own.deprecatedDeclarations++;
            own.deprecatedField = true;
        }
        if (canBePrefixMap(option)) own.prefixMap = true;
        for (FallbackKey fallback : option.fallbackKeys()) {
            String fallbackKey = suffixOf != null ? suffixOf + "." + fallback.getKey() : fallback.getKey();
            KeyInfo info = target.computeIfAbsent(fallbackKey, k -> new KeyInfo());
            info.declarations++;
            info.declaredIn.add(where + " (fallback key)");
            info.fallbackFor.add(key);
            if (fallback.isDeprecated() || deprecatedField) {
                info.deprecatedDeclarations++;
                if (!deprecatedField) info.replacedBy.add(key);
            }
            if (canBePrefixMap(option)) info.prefixMap = true;
        }
    }

    private static String suffixOptionPrefix(Field field) {
        for (Annotation annotation : field.getAnnotations()) {
            if (annotation instanceof Documentation.SuffixOption) {
                return ((Documentation.SuffixOption) annotation).value();
            }
        }
        return null;
    }

    private boolean canBePrefixMap(ConfigOption<?> option) {
        try {
            return getClazz.invoke(option) == Map.class && !((Boolean) isList.invoke(option));
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(8192);
        byte[] chunk = new byte[8192];
        int n;
        while ((n = in.read(chunk)) > 0) buffer.write(chunk, 0, n);
        return buffer.toByteArray();
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return true;
        }
        return false;
    }

    private String toJson(String version) {
        StringBuilder json = new StringBuilder(1 << 20);
        json.append("{\n  \"flinkVersion\": ").append(quote(version)).append(",\n");
        json.append("  \"stats\": {\"classFiles\": ").append(scannedClassFiles)
                .append(", \"candidateClasses\": ").append(candidateClasses)
                .append(", \"optionFields\": ").append(optionFields)
                .append(", \"skippedClasses\": ").append(skippedClasses.size()).append("},\n");
        json.append("  \"options\": ");
        appendKeys(json, keys);
        json.append(",\n  \"templatedOptions\": ");
        appendKeys(json, templatedOptions);
        json.append(",\n  \"skippedClasses\": [");
        boolean first = true;
        for (String name : skippedClasses) {
            json.append(first ? "\n    " : ",\n    ").append(quote(name));
            first = false;
        }
        json.append(first ? "]\n}\n" : "\n  ]\n}\n");
        return json.toString();
    }

    private static void appendKeys(StringBuilder json, Map<String, KeyInfo> map) {
        json.append("{");
        boolean first = true;
        for (Map.Entry<String, KeyInfo> e : map.entrySet()) {
            KeyInfo info = e.getValue();
            json.append(first ? "\n    " : ",\n    ").append(quote(e.getKey())).append(": {\"deprecated\": ")
                    .append(info.deprecated());
            if (info.deprecated() && !info.replacedBy.isEmpty()) {
                json.append(", \"replacedBy\": ").append(quote(info.replacedBy.first()));
                if (info.replacedBy.size() > 1) json.append(", \"replacedByAll\": ").append(array(info.replacedBy));
            }
            if (info.prefixMap) json.append(", \"prefixMap\": true");
            if (info.deprecatedField) json.append(", \"deprecatedField\": true");
            if (!info.fallbackFor.isEmpty()) json.append(", \"fallbackFor\": ").append(array(info.fallbackFor));
            json.append(", \"declaredIn\": ").append(array(info.declaredIn)).append("}");
            first = false;
        }
        json.append(first ? "}" : "\n  }");
    }

    private static String array(Iterable<String> values) {
        StringBuilder s = new StringBuilder("[");
        for (String v : values) s.append(s.length() > 1 ? ", " : "").append(quote(v));
        return s.append("]").toString();
    }

    private static String quote(String s) {
        StringBuilder q = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': q.append("\\\""); break;
                case '\\': q.append("\\\\"); break;
                case '\n': q.append("\\n"); break;
                case '\r': q.append("\\r"); break;
                case '\t': q.append("\\t"); break;
                default:
                    if (c < 0x20) q.append(String.format("\\u%04x", (int) c));
                    else q.append(c);
            }
        }
        return q.append('"').toString();
    }
}

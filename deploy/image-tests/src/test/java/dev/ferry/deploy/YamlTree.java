package dev.ferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** A parsed YAML document (SnakeYAML, safe constructor) with dotted-path access: {@code spec.containers[0].args}. */
final class YamlTree {
    private final Object root;
    private final String origin;

    private YamlTree(Object root, String origin) {
        this.root = root;
        this.origin = origin;
    }

    /** Every document of a (multi-document) YAML file. */
    static List<YamlTree> readAll(Path file) throws IOException {
        List<YamlTree> docs = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(file)) {
            for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(in)) {
                if (doc != null) {
                    docs.add(new YamlTree(doc, file.getFileName() + " #" + docs.size()));
                }
            }
        }
        return docs;
    }

    static YamlTree read(Path file) throws IOException {
        List<YamlTree> docs = readAll(file);
        assertThat(docs).as(file + " holds one YAML document").hasSize(1);
        return docs.get(0);
    }

    /** The node at {@code path}; fails the test naming the path if it is absent. */
    Object get(String path) {
        Object node = root;
        for (String part : path.split("\\.")) {
            String key = part;
            Integer index = null;
            int bracket = part.indexOf('[');
            if (bracket >= 0) {
                key = part.substring(0, bracket);
                index = Integer.parseInt(part.substring(bracket + 1, part.length() - 1));
            }
            assertThat(node).as(origin + ": " + path + " (at " + part + ")").isInstanceOf(Map.class);
            node = ((Map<?, ?>) node).get(key);
            assertThat(node).as(origin + ": " + path + " is set").isNotNull();
            if (index != null) {
                assertThat(node).as(origin + ": " + path + " (at " + part + ") is a list").isInstanceOf(List.class);
                node = ((List<?>) node).get(index);
            }
        }
        return node;
    }

    YamlTree at(String path) {
        return new YamlTree(get(path), origin + ":" + path);
    }

    String string(String path) {
        return String.valueOf(get(path));
    }

    boolean has(String path) {
        try {
            get(path);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    @SuppressWarnings("unchecked")
    List<Object> list(String path) {
        Object node = get(path);
        assertThat(node).as(origin + ": " + path + " is a list").isInstanceOf(List.class);
        return (List<Object>) node;
    }

    /** The list at {@code path}, each element as a tree. */
    List<YamlTree> trees(String path) {
        return list(path).stream().map(o -> new YamlTree(o, origin + ":" + path)).toList();
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> map(String path) {
        Object node = get(path);
        assertThat(node).as(origin + ": " + path + " is a mapping").isInstanceOf(Map.class);
        return (Map<String, Object>) node;
    }

    List<String> strings(String path) {
        return list(path).stream().map(String::valueOf).toList();
    }

    @Override
    public String toString() {
        return origin;
    }
}

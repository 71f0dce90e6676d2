package dev.vireo.http;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Dispatches on method and path. Patterns are literal segments, {@code {name}} for one
 * segment and {@code {name...}} for one or more (a repository name such as
 * {@code library/alpine}). Routes are tried in the order they were added; a path that
 * matches only other methods gets 405 with {@code Allow}; HEAD falls back to GET (the
 * server drops the body).
 */
public final class Router implements Handler {
    private final List<Route> routes = new ArrayList<>();
    private Handler notFound = request -> Response.text(404, "not found");
    private MethodNotAllowed methodNotAllowed = (request, allowed) ->
            Response.text(405, "method not allowed").header("Allow", String.join(", ", allowed));

    /** What answers a path that matches a route but not its method. */
    @FunctionalInterface
    public interface MethodNotAllowed {
        Response handle(Request request, Set<String> allowed) throws IOException;
    }

    private record Route(String method, List<String> segments, Handler handler) {}

    public Router route(String method, String pattern, Handler handler) {
        if (!pattern.startsWith("/")) throw new IllegalArgumentException("pattern must start with /: " + pattern);
        List<String> segments = List.of(pattern.substring(1).split("/", -1));
        for (int i = 0; i < segments.size(); i++) {
            String segment = segments.get(i);
            if (segment.startsWith("{") != segment.endsWith("}")) {
                throw new IllegalArgumentException("bad parameter in pattern " + pattern);
            }
        }
        routes.add(new Route(method, segments, handler));
        return this;
    }

    public Router get(String pattern, Handler handler) {
        return route("GET", pattern, handler);
    }

    public Router notFound(Handler handler) {
        this.notFound = handler;
        return this;
    }

    public Router methodNotAllowed(MethodNotAllowed handler) {
        this.methodNotAllowed = handler;
        return this;
    }

    @Override
    public Response handle(Request request) throws IOException {
        String path = request.path();
        if (!path.startsWith("/")) return notFound.handle(request);
        String[] parts = path.substring(1).split("/", -1);
        Set<String> allowed = new TreeSet<>();
        Route headFallback = null;
        Map<String, String> headParameters = null;
        for (Route route : routes) {
            Map<String, String> parameters = new HashMap<>();
            if (!match(route.segments, 0, parts, 0, parameters)) continue;
            if (route.method.equals(request.method())) {
                request.pathParameters(parameters);
                return route.handler.handle(request);
            }
            if (route.method.equals("GET") && request.method().equals("HEAD") && headFallback == null) {
                headFallback = route;
                headParameters = parameters;
            }
            allowed.add(route.method);
        }
        if (headFallback != null) {
            request.pathParameters(headParameters);
            return headFallback.handler.handle(request);
        }
        if (!allowed.isEmpty()) {
            if (allowed.contains("GET")) allowed.add("HEAD");
            return methodNotAllowed.handle(request, allowed);
        }
        return notFound.handle(request);
    }

    private static boolean match(List<String> pattern, int p, String[] parts, int s, Map<String, String> out) {
        if (p == pattern.size()) return s == parts.length;
        if (s == parts.length) return false;
        String segment = pattern.get(p);
        if (segment.startsWith("{") && segment.endsWith("...}")) {
            String name = segment.substring(1, segment.length() - 4);
            // Greedy from the longest span, so the fixed segments after it bind to the path's end.
            for (int end = parts.length; end > s; end--) {
                if (match(pattern, p + 1, parts, end, out)) {
                    boolean empty = false;
                    for (int i = s; i < end; i++) empty |= parts[i].isEmpty();
                    if (empty) continue;
                    out.put(name, decode(String.join("/", List.of(parts).subList(s, end))));
                    return true;
                }
            }
            return false;
        }
        if (segment.startsWith("{")) {
            if (parts[s].isEmpty()) return false;
            if (!match(pattern, p + 1, parts, s + 1, out)) return false;
            out.put(segment.substring(1, segment.length() - 1), decode(parts[s]));
            return true;
        }
        return segment.equals(parts[s]) && match(pattern, p + 1, parts, s + 1, out);
    }

    private static String decode(String text) {
        if (text.indexOf('%') < 0) return text;
        try {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }
}

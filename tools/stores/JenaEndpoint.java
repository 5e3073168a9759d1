// A SPARQL 1.1 endpoint on loopback over Apache Jena ARQ (Debian's libapache-jena-java 4.5 ships no Fuseki): one
// in-memory dataset, queries at /sparql (GET or POST, JSON results), Graph Store Protocol PUT/POST of N-Triples at
// /data (?default or ?graph=IRI). One JVM for a whole test run: `arq` per query costs about 7 s of start-up each.
// Run: java -cp "$(bash tools/stores/jena.sh classpath DIR)" tools/stores/JenaEndpoint.java PORT
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import org.apache.jena.query.Dataset;
import org.apache.jena.query.DatasetFactory;
import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryExecutionFactory;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.ReadWrite;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.rdf.model.Model;
import org.apache.jena.rdf.model.ModelFactory;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFParser;

public class JenaEndpoint {
    private static final Dataset DATASET = DatasetFactory.createTxnMem();

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        server.createContext("/sparql", JenaEndpoint::query);
        server.createContext("/data", JenaEndpoint::data);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        System.out.println("Jena ARQ endpoint on http://127.0.0.1:" + port + "/sparql");
    }

    private static Map<String, String> form(String encoded) {
        Map<String, String> out = new HashMap<>();
        if (encoded == null) return out;
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                                URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static void answer(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) ex.getResponseBody().write(body);
        ex.close();
    }

    private static void query(HttpExchange ex) throws IOException {
        String text;
        try (InputStream in = ex.getRequestBody()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String type = String.valueOf(ex.getRequestHeaders().getFirst("Content-Type"));
            if (ex.getRequestMethod().equals("POST") && type.startsWith("application/sparql-query")) text = body;
            else if (ex.getRequestMethod().equals("POST")) text = form(body).get("query");
            else text = form(ex.getRequestURI().getRawQuery()).get("query");
        }
        if (text == null) {
            answer(ex, 400, "text/plain", "no query parameter".getBytes(StandardCharsets.UTF_8));
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DATASET.begin(ReadWrite.READ);
        try {
            Query parsed = QueryFactory.create(text);
            try (QueryExecution exec = QueryExecutionFactory.create(parsed, DATASET)) {
                if (parsed.isSelectType()) ResultSetFormatter.outputAsJSON(out, exec.execSelect());
                else if (parsed.isAskType()) ResultSetFormatter.outputAsJSON(out, exec.execAsk());
                else throw new IllegalArgumentException("only SELECT and ASK are answered here");
            }
        } catch (RuntimeException e) {
            answer(ex, 400, "text/plain", String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
            return;
        } finally {
            DATASET.end();
        }
        answer(ex, 200, "application/sparql-results+json", out.toByteArray());
    }

    private static void data(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        if (!method.equals("PUT") && !method.equals("POST")) {
            answer(ex, 405, "text/plain", "PUT or POST N-Triples".getBytes(StandardCharsets.UTF_8));
            return;
        }
        String graph = form(ex.getRequestURI().getRawQuery()).get("graph");
        Model incoming = ModelFactory.createDefaultModel();
        try (InputStream in = ex.getRequestBody()) {
            RDFParser.source(in).lang(Lang.NTRIPLES).parse(incoming);
        } catch (RuntimeException e) {
            answer(ex, 400, "text/plain", String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
            return;
        }
        DATASET.begin(ReadWrite.WRITE);
        try {
            Model target = graph == null ? DATASET.getDefaultModel() : DATASET.getNamedModel(graph);
            if (method.equals("PUT")) target.removeAll();
            target.add(incoming);
            DATASET.commit();
        } finally {
            DATASET.end();
        }
        answer(ex, method.equals("PUT") ? 201 : 204, "text/plain", new byte[0]);
    }
}

package dev.herd.bench.scenarios;

import static dev.herd.bench.scenarios.Rounds.nowNs;

import dev.herd.node.Herd;
import dev.herd.node.json.Json;
import dev.herd.node.v8.V8;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * serialize: encode + decode throughput of the two IPC serialization modes on a ~1 KiB object and
 * on a 1 MiB byte[] (a Buffer), one op being one encode and one decode: JSON mode with
 * {@link Json#stringifyUtf8} + {@link Json#parse(byte[], int, int)} (the bytes the channel sends),
 * advanced mode with {@link V8#serialize} + {@link V8#deserialize}. The object is in the generic
 * form a receiver gets (LinkedHashMap, ArrayList, Integer, Double, String, Boolean), built key for
 * key like the Node twin's {@code order()}.
 * Metrics: json_obj1k_ops_per_s, json_buf1m_ops_per_s, adv_obj1k_ops_per_s, adv_buf1m_ops_per_s.
 */
public final class Serialize {
    private Serialize() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> Rounds.run(argv, Serialize::round));
    }

    static Map<String, Object> order() {
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("sku", "SKU-" + (1000 + i));
            item.put("title", "Item number " + i);
            item.put("qty", i + 1);
            item.put("price", 9.99 + i);
            item.put("taxable", i % 2 == 0);
            items.add(item);
        }
        Map<String, Object> customer = new LinkedHashMap<>();
        customer.put("name", "Ada Lovelace");
        customer.put("email", "ada@example.com");
        customer.put("vip", true);
        customer.put("since", 1843);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", 123456);
        o.put("status", "paid");
        o.put("customer", customer);
        o.put("items", items);
        o.put("tags", new ArrayList<>(List.of("priority", "gift", "export")));
        o.put("total", 987.65);
        o.put("createdAt", "2026-12-03T06:00:00.000Z");
        o.put("note", "Leave at the door; ring twice. Fragile contents inside.");
        return o;
    }

    record Timed(double opsPerS, long sink) {}

    static Timed timeOps(int count, IntSupplier op) {
        long start = nowNs();
        long sink = 0;
        for (int i = 0; i < count; i++) {
            sink += op.getAsInt();
        }
        long ns = nowNs() - start;
        return new Timed(count / (ns / 1e9), sink);
    }

    @SuppressWarnings("unchecked")
    static void round(int n, Rounds.Sample sample, Runnable done) {
        Map<String, Object> obj = order();
        byte[] buf = new byte[1 << 20];
        for (int i = 0; i < buf.length; i++) {
            buf[i] = (byte) (i * 31);
        }
        int bufCount = Math.max(2, n / 2000);
        int advBufCount = Math.max(2, n / 100);

        Timed j1 = timeOps(n, () -> {
            byte[] bytes = Json.stringifyUtf8(obj);
            return ((List<Object>) ((Map<String, Object>) Json.parse(bytes, 0, bytes.length)).get("items")).size();
        });
        Timed j2 = timeOps(bufCount, () -> {
            byte[] bytes = Json.stringifyUtf8(buf);
            return ((List<Object>) ((Map<String, Object>) Json.parse(bytes, 0, bytes.length)).get("data")).size();
        });
        Timed a1 = timeOps(n, () -> ((List<Object>) ((Map<String, Object>) V8.deserialize(V8.serialize(obj))).get("items")).size());
        Timed a2 = timeOps(advBufCount, () -> ((byte[]) V8.deserialize(V8.serialize(buf))).length);
        sample.metric("json_obj1k_ops_per_s", j1.opsPerS());
        sample.metric("json_buf1m_ops_per_s", j2.opsPerS());
        sample.metric("adv_obj1k_ops_per_s", a1.opsPerS());
        sample.metric("adv_buf1m_ops_per_s", a2.opsPerS());
        int jsonSize = Json.stringifyUtf8(obj).length;
        sample.check("json_size", jsonSize > 900 && jsonSize < 1200, "order() is " + jsonSize + " bytes of JSON");
        sample.check("decoded", j1.sink() == 8L * n && j2.sink() == (long) bufCount << 20 && a1.sink() == 8L * n
                && a2.sink() == (long) advBufCount << 20, "a decoded value differs from the encoded one");
        done.run();
    }
}

package dev.herd.node.value;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Jackson databind for the value model: binding ({@link Values#convert}) and reading records and
 * beans as plain objects. A class of its own, loaded on first use: {@link Values} is on every
 * message's path, and loading it must not load databind (verifying the serializers below loads
 * their superclasses), which costs a fresh JVM (a forked child, a cluster worker) tens of
 * milliseconds before its first message.
 *
 * <p>Thread rule: any thread (ObjectMapper is thread-safe once built). Lifetime: the JVM's.
 */
final class ValuesJackson {
    private ValuesJackson() {}

    /** Built when this class initializes, on the first binding or record/bean read. */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(valueModelModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    /** Jackson serializers for the model's own types, so that binding reads them as their values. */
    static SimpleModule valueModelModule() {
        SimpleModule m = new SimpleModule("herd-values");
        m.addSerializer(Undefined.class, new StdSerializer<>(Undefined.class) {
            @Override
            public void serialize(Undefined v, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeNull();
            }
        });
        m.addSerializer(InvalidDate.class, new StdSerializer<>(InvalidDate.class) {
            @Override
            public void serialize(InvalidDate v, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeNull();
            }
        });
        m.addSerializer(ArrayBuffer.class, new StdSerializer<>(ArrayBuffer.class) {
            @Override
            public void serialize(ArrayBuffer v, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeBinary(v.toByteArray());
            }
        });
        m.addSerializer(TypedArray.class, new StdSerializer<>(TypedArray.class) {
            @Override
            public void serialize(TypedArray v, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeBinary(v.toByteArray());
            }
        });
        m.addSerializer(JsArray.class, new StdSerializer<>(JsArray.class) {
            @Override
            public void serialize(JsArray v, JsonGenerator g, SerializerProvider p) throws IOException {
                // A sparse array's length costs the sender nothing ([] with a[4e9] = 1): refuse to
                // materialize a huge one rather than run out of memory. Holes bind as null.
                if (v.length() > Values.MAX_BIND_SPARSE_LENGTH) {
                    throw JsonMappingException.from(g, "A sparse array of length " + v.length()
                            + " is too long to bind (the limit is " + Values.MAX_BIND_SPARSE_LENGTH + ")");
                }
                g.writeStartArray(v, (int) v.length());
                long next = 0;
                for (Map.Entry<Long, Object> e : v.elements().entrySet()) {
                    for (; next < e.getKey(); next++) {
                        g.writeNull();
                    }
                    p.defaultSerializeValue(e.getValue(), g);
                    next++;
                }
                for (; next < v.length(); next++) {
                    g.writeNull();
                }
                g.writeEndArray();
            }
        });
        m.addSerializer(JsRegExp.class, new StdSerializer<>(JsRegExp.class) {
            @Override
            public void serialize(JsRegExp v, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeString(v.toString());
            }
        });
        return m;
    }

    /** How to read a record or bean as a plain object: Jackson's view of its properties. */
    record Bean(List<String> names, List<AnnotatedMember> accessors) {
        static Bean of(Class<?> type) {
            if (type.isInterface() || type.isPrimitive() || type.getName().startsWith("java.")
                    || type.getName().startsWith("javax.") || type.getName().startsWith("jdk.")
                    || type.getName().startsWith("sun.") || type.getName().startsWith("dev.herd.os.")
                    || type.getName().startsWith("dev.herd.loop.") || type.getName().startsWith("dev.herd.io.")
                    || AutoCloseable.class.isAssignableFrom(type)) {
                return null; // live resources and JDK internals are not plain data
            }
            JavaType javaType = MAPPER.constructType(type);
            BeanDescription description = MAPPER.getSerializationConfig().introspect(javaType);
            List<String> names = new ArrayList<>();
            List<AnnotatedMember> accessors = new ArrayList<>();
            for (BeanPropertyDefinition p : description.findProperties()) {
                AnnotatedMember accessor = p.getAccessor();
                if (accessor == null) {
                    continue;
                }
                accessor.fixAccess(true);
                names.add(p.getName());
                accessors.add(accessor);
            }
            if (names.isEmpty() && !type.isRecord()) {
                return null; // an object with identity and no data: not a value
            }
            return new Bean(List.copyOf(names), List.copyOf(accessors));
        }

        List<Map.Entry<String, Object>> read(Object object) {
            List<Map.Entry<String, Object>> out = new ArrayList<>(names.size());
            for (int i = 0; i < names.size(); i++) {
                out.add(new java.util.AbstractMap.SimpleImmutableEntry<>(names.get(i), accessors.get(i).getValue(object)));
            }
            return out;
        }
    }
}

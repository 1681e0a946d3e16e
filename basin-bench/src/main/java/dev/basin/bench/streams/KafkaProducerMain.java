package dev.basin.bench.streams;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The producer workload against Kafka, in its own process: creates a topic with one partition per
 * shard, sends with {@code acks=all} for the warm-up plus the window, consumes the topic in the
 * same process to time put-to-get, deletes the topic, and prints one {@link DriverResult} line.
 *
 * <p>{@code --flush-messages 1} sets the topic's {@code flush.messages}, so the broker fsyncs each
 * appended batch before it acknowledges it: the fsync-equivalent peer of Basin's default.
 */
public final class KafkaProducerMain {
  private KafkaProducerMain() {}

  public static void main(String[] argv) throws Exception {
    Args args = Args.parse(argv, Set.of());
    String bootstrap = args.required("bootstrap");
    String topic = args.required("topic");
    int flushMessages = args.integer("flush-messages", 0);
    String system = args.string("system", flushMessages > 0 ? "kafka-fsync" : "kafka");
    Workload workload = Workload.from(args);
    args.rejectUnknown();

    createTopic(bootstrap, topic, workload.shards(), flushMessages);
    LoadWindow window = new LoadWindow(workload);
    window.printMarkers(System.out);

    Consumer consumer = new Consumer(bootstrap, topic, workload.shards(), window);
    consumer.start();
    String note = produce(bootstrap, topic, workload, window);
    if (!window.awaitConsumed(30)) {
      note = join(note, "consumer did not see every acknowledged record within 30 s");
    }
    consumer.stop();
    deleteTopic(bootstrap, topic);

    DriverResult result = window.result(system, note);
    System.out.println(LoadWindow.RESULT_PREFIX + new ObjectMapper().writeValueAsString(result));
    System.out.flush();
    System.exit(0);
  }

  private static String produce(String bootstrap, String topic, Workload w, LoadWindow window)
      throws InterruptedException {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    // Room for one PutRecords-sized batch per partition batch; everything else is Kafka's default
    // (linger.ms 5, idempotence on, 5 requests in flight per connection, no compression).
    p.put(
        ProducerConfig.BATCH_SIZE_CONFIG,
        Math.max(16_384, Math.min(w.batchRecords() * (w.recordSize() + 64), 1_000_000)));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    Payload payload = new Payload(w.recordSize());
    String note = "";
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      long seq = 0;
      while (window.acquire(1)) {
        long sendNanos = System.nanoTime();
        byte[] value = payload.make(sendNanos, seq);
        try {
          producer.send(
              new ProducerRecord<>(topic, Keys.of(seq), value),
              (metadata, error) -> {
                if (error == null) {
                  window.acked(sendNanos, System.nanoTime(), 1, 0);
                } else {
                  window.requestFailed(1, error);
                }
              });
        } catch (RuntimeException e) {
          window.requestFailed(1, e);
        }
        seq++;
      }
      producer.flush();
      if (!window.awaitAcks(30)) {
        note = "records still unacknowledged 30 s after the window closed";
      }
    }
    return note;
  }

  private static void createTopic(String bootstrap, String topic, int partitions, int flush)
      throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      NewTopic t = new NewTopic(topic, partitions, (short) 1);
      if (flush > 0) {
        t.configs(Map.of("flush.messages", Integer.toString(flush)));
      }
      admin.createTopics(List.of(t)).all().get(60, TimeUnit.SECONDS);
    }
  }

  private static void deleteTopic(String bootstrap, String topic) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.deleteTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
    }
  }

  private static String join(String a, String b) {
    return a.isEmpty() ? b : a + "; " + b;
  }

  /** Reads every partition from the beginning with plain {@code poll}, as a Kafka user would. */
  private static final class Consumer {
    private final Thread thread;
    private volatile boolean running = true;

    Consumer(String bootstrap, String topic, int partitions, LoadWindow window) {
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      // Up to 10 MiB per partition and fetch, like one GetRecords call (10,000 records, 10 MiB);
      // Kafka's default of 1 MiB caps a single-partition consumer near 100 MiB/s here.
      p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(10 << 20));
      p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
      p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      List<TopicPartition> tps = new ArrayList<>();
      for (int i = 0; i < partitions; i++) {
        tps.add(new TopicPartition(topic, i));
      }
      thread =
          new Thread(
              () -> {
                try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
                  consumer.assign(tps);
                  consumer.seekToBeginning(tps);
                  while (running) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                    long now = System.nanoTime();
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                      window.received(Payload.sendNanos(r.value()), now);
                    }
                  }
                } catch (RuntimeException e) {
                  window.consumerError(e);
                }
              },
              "kafka-consumer");
    }

    void start() {
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join(10_000);
    }
  }
}

package dev.basin.etl.sample;

import java.io.IOException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.List;
import java.util.Random;

/**
 * A year of store transactions ending on a fixed day, in date order. Rows are spread over days in
 * proportion to a weekly pattern (weekends busiest) and a year-end lift, with the exact total.
 */
final class SalesDataset extends Dataset {
  static final String FILE = "sales/sales.csv";
  static final LocalDate LAST_DAY = LocalDate.of(2025, 12, 31);
  static final int DAYS = 365;

  private static final long SALE = 21;

  record Product(String name, String category, long cents) {}

  private static final List<Product> PRODUCTS =
      List.of(
          new Product("Wireless Mouse", "Electronics", 2499),
          new Product("Monitor 27\" 4K", "Electronics", 32900),
          new Product("USB-C Cable, 2m", "Electronics", 1299),
          new Product("Bluetooth Speaker", "Electronics", 5999),
          new Product("Noise-Cancelling Headphones", "Electronics", 19900),
          new Product("Coffee Beans 1kg", "Grocery", 1850),
          new Product("Olive Oil 750ml", "Grocery", 1100),
          new Product("Pasta, Whole Wheat", "Grocery", 349),
          new Product("Dark Chocolate", "Grocery", 299),
          new Product("Sparkling Water 12-pack", "Grocery", 699),
          new Product("Running Shoes", "Apparel", 8900),
          new Product("Rain Jacket", "Apparel", 12900),
          new Product("Cotton T-Shirt", "Apparel", 1999),
          new Product("Wool Socks (3 pairs)", "Apparel", 1499),
          new Product("Desk Lamp", "Home", 3499),
          new Product("Throw Pillow", "Home", 2499),
          new Product("Chef's Knife 8\"", "Home", 6999),
          new Product("Scented Candle", "Home", 1599),
          new Product("Yoga Mat", "Sports", 2999),
          new Product("Dumbbells, 2x5kg", "Sports", 4499),
          new Product("Water Bottle", "Sports", 1799),
          new Product("Notebook A5", "Office", 699),
          new Product("Gel Pens (10)", "Office", 1199),
          new Product("Paperback Novel", "Books", 1499),
          new Product("Cookbook", "Books", 2999));

  private static final List<String> STORES =
      List.of(
          "Seattle, WA",
          "Portland, OR",
          "Denver, CO",
          "Austin, TX",
          "Chicago, IL",
          "Boston, MA",
          "Atlanta, GA",
          "Miami, FL",
          "Phoenix, AZ",
          "New York, NY");

  private static final double[] WEEKDAY = {0.80, 0.85, 0.90, 1.00, 1.25, 1.60, 1.30};

  @Override
  String name() {
    return "sales";
  }

  @Override
  String description() {
    return "daily sales transactions (date, store, product, category, customer, quantity, price)"
        + " for "
        + (LAST_DAY.minusDays(DAYS - 1))
        + ".."
        + LAST_DAY
        + ", busiest on weekends";
  }

  @Override
  List<String> files() {
    return List.of(FILE);
  }

  /** {@code C} and at least six digits, e.g. {@code C000042}. */
  static String customer(long n) {
    String digits = Long.toString(n);
    return "C" + "000000".substring(Math.min(6, digits.length())) + digits;
  }

  static double weight(LocalDate day) {
    double w = WEEKDAY[day.getDayOfWeek().getValue() - DayOfWeek.MONDAY.getValue()];
    if (day.getMonthValue() == 12) {
      w *= 1.4;
    } else if (day.getMonthValue() == 11) {
      w *= 1.15;
    }
    return w;
  }

  @Override
  List<SampleFile> write(long rows, long seed, FileSink sink) throws IOException {
    LocalDate first = LAST_DAY.minusDays(DAYS - 1);
    double[] cumulative = new double[DAYS];
    double total = 0;
    for (int d = 0; d < DAYS; d++) {
      total += weight(first.plusDays(d));
      cumulative[d] = total;
    }
    long customers = Math.max(50, rows / 8);
    try (CsvWriter w =
        open(
            sink,
            FILE,
            "transaction_id",
            "date",
            "store",
            "product",
            "category",
            "customer",
            "quantity",
            "price")) {
      long id = 0;
      long before = 0;
      for (int d = 0; d < DAYS; d++) {
        long upTo = d == DAYS - 1 ? rows : (long) Math.floor(rows * (cumulative[d] / total));
        String date = first.plusDays(d).toString();
        for (; before < upTo; before++) {
          Random r = Rand.of(seed, SALE, id);
          int store = r.nextInt(STORES.size());
          // a few products sell far more than the rest
          Product p = PRODUCTS.get((int) (PRODUCTS.size() * Math.pow(r.nextDouble(), 1.7)));
          double q = r.nextDouble();
          int quantity = q < 0.55 ? 1 : q < 0.80 ? 2 : q < 0.90 ? 3 : q < 0.96 ? 4 : 5;
          // one sale in ten is at the 20 % promotion price
          long cents = r.nextInt(10) == 0 ? Math.round(p.cents * 0.8) : p.cents;
          id++;
          w.row(
              Long.toString(id),
              date,
              "Store " + (store + 1) + " - " + STORES.get(store),
              p.name,
              p.category,
              customer(1 + (long) (customers * Math.pow(r.nextDouble(), 1.5))),
              Integer.toString(quantity),
              Rand.fixed(cents / 100.0, 2));
        }
      }
      return List.of(w.finish(FILE));
    }
  }
}

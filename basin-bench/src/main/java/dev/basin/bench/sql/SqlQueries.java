package dev.basin.bench.sql;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The analytic queries of the SQL benchmark, written once against the names {@code sales}, {@code
 * stores} and {@code products}; {@link #forBasin} qualifies them with the catalog database.
 */
final class SqlQueries {

  private SqlQueries() {}

  /** Rows in the fact table. */
  static String createSales(String db, long rows) {
    return "CREATE TABLE "
        + db
        + ".sales WITH (partitioning = ARRAY['month(sale_date)']) AS"
        + " SELECT range AS sale_id,"
        + " DATE '2024-01-01' + CAST(range % 366 AS INTEGER) AS sale_date,"
        + " CAST(range % 100 AS INTEGER) AS store_id,"
        + " CAST((range * 7919) % 1000 AS INTEGER) AS product_id,"
        + " CAST((range * 104729) % 200000 AS BIGINT) AS customer_id,"
        + " CAST(1 + range % 10 AS INTEGER) AS quantity,"
        + " CAST((range % 1000) / 10.0 + 1 AS DECIMAL(10,2)) AS amount"
        + " FROM range("
        + rows
        + ")";
  }

  static String createStores(String db) {
    return "CREATE TABLE "
        + db
        + ".stores AS SELECT CAST(range AS INTEGER) AS store_id,"
        + " 'store-' || range AS store_name,"
        + " ['north', 'south', 'east', 'west'][1 + range % 4] AS region FROM range(100)";
  }

  static String createProducts(String db) {
    return "CREATE TABLE "
        + db
        + ".products AS SELECT CAST(range AS INTEGER) AS product_id,"
        + " 'product-' || range AS product_name,"
        + " ['grocery', 'toys', 'garden', 'books', 'tools', 'music'][1 + range % 6] AS category"
        + " FROM range(1000)";
  }

  /** Name → SQL over unqualified {@code sales}, {@code stores}, {@code products}. */
  static Map<String, String> all() {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("count", "SELECT count(*) FROM sales");
    q.put(
        "filter-sum",
        "SELECT sum(amount) FROM sales WHERE sale_date >= DATE '2024-06-01' AND sale_date < DATE"
            + " '2024-07-01'");
    q.put(
        "join-category",
        "SELECT p.category, sum(s.amount) AS revenue FROM sales s JOIN products p ON s.product_id"
            + " = p.product_id GROUP BY 1 ORDER BY 2 DESC");
    q.put(
        "join-region",
        "SELECT st.region, count(*) AS orders, avg(s.quantity) AS avg_qty FROM sales s JOIN"
            + " stores st ON s.store_id = st.store_id GROUP BY 1 ORDER BY 1");
    q.put(
        "top-customers",
        "SELECT customer_id, sum(amount) AS total FROM sales GROUP BY 1 ORDER BY 2 DESC LIMIT 10");
    q.put(
        "daily",
        "SELECT sale_date, count(*) AS orders, sum(amount) AS revenue FROM sales GROUP BY 1 ORDER"
            + " BY 1");
    q.put(
        "window-7day",
        "SELECT store_id, sale_date, daily, avg(daily) OVER (PARTITION BY store_id ORDER BY"
            + " sale_date ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS rolling FROM (SELECT"
            + " store_id, sale_date, sum(amount) AS daily FROM sales GROUP BY 1, 2) ORDER BY 1, 2"
            + " LIMIT 100");
    q.put("distinct-customers", "SELECT count(DISTINCT customer_id) FROM sales WHERE quantity > 5");
    q.put("point-lookup", "SELECT * FROM sales WHERE sale_id = 4242424");
    q.put(
        "quarter-months",
        "SELECT date_trunc('month', sale_date) AS month, count(*) AS orders FROM sales WHERE"
            + " sale_date BETWEEN DATE '2024-03-01' AND DATE '2024-05-31' GROUP BY 1 ORDER BY 1");
    return q;
  }

  /** The query with the three tables qualified by {@code db}. */
  static String forBasin(String sql, String db) {
    return sql.replaceAll("\\bsales\\b", db + ".sales")
        .replaceAll("\\bstores\\b", db + ".stores")
        .replaceAll("\\bproducts\\b", db + ".products");
  }
}

package dev.basin.etl.sample;

import java.io.IOException;
import java.time.LocalDate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Employees whose salary depends on department, years of experience (so on age) and the number of
 * skills, plus noise: enough signal for skills-, department- and age-vs-salary charts.
 */
final class EmployeesDataset extends Dataset {
  static final String FILE = "employees/employees.csv";

  /** Hire dates end here, so that the output does not depend on the day it is generated. */
  static final LocalDate AS_OF = LocalDate.of(2025, 12, 31);

  private static final long EMPLOYEE = 11;

  /** Department, base salary, weight, its own skills. */
  record Department(String name, int base, int weight, List<String> skills) {}

  static final List<Department> DEPARTMENTS =
      List.of(
          new Department(
              "Engineering",
              78_000,
              28,
              List.of("Java", "Python", "Go", "Kubernetes", "AWS", "SQL", "React", "Terraform")),
          new Department(
              "Data Science",
              84_000,
              8,
              List.of("Python", "SQL", "Spark", "Machine Learning", "Statistics", "R", "Tableau")),
          new Department(
              "Finance",
              66_000,
              10,
              List.of("Excel", "Accounting", "SQL", "Forecasting", "SAP", "Risk Analysis")),
          new Department(
              "Marketing",
              56_000,
              10,
              List.of("SEO", "Copywriting", "Google Ads", "Analytics", "Branding", "Excel")),
          new Department(
              "Sales",
              52_000,
              18,
              List.of("Negotiation", "CRM", "Salesforce", "Prospecting", "Presentation")),
          new Department(
              "Human Resources",
              50_000,
              6,
              List.of("Recruiting", "Payroll", "Employment Law", "Onboarding", "Excel")),
          new Department(
              "Operations",
              48_000,
              10,
              List.of("Logistics", "Lean", "Six Sigma", "SAP", "Excel", "Scheduling")),
          new Department(
              "Support",
              40_000,
              10,
              List.of("Customer Service", "Zendesk", "Troubleshooting", "SQL", "Linux")));

  private static final List<String> GENERAL =
      List.of("Communication", "Leadership", "Project Management", "Public Speaking", "Agile");
  private static final List<String> FIRST =
      List.of(
          "James",
          "Mary",
          "Wei",
          "Priya",
          "Carlos",
          "Fatima",
          "John",
          "Aisha",
          "Lukas",
          "Elena",
          "Kenji",
          "Olivia",
          "Mohammed",
          "Sara",
          "David",
          "Ngozi",
          "Anna",
          "Pedro",
          "Yuki",
          "Thomas",
          "Maria",
          "Ahmed",
          "Emma",
          "Raj",
          "Grace",
          "Ivan",
          "Chen",
          "Laura",
          "Samuel",
          "Nora");
  private static final List<String> LAST =
      List.of(
          "Smith",
          "Garcia",
          "Zhang",
          "Patel",
          "Müller",
          "Kim",
          "O'Connor",
          "Rossi",
          "Nguyen",
          "Johnson",
          "Silva",
          "Kowalski",
          "Tanaka",
          "Okafor",
          "Brown",
          "Haddad",
          "Jensen",
          "Martin",
          "Lopez",
          "Ivanova",
          "D'Angelo",
          "Williams",
          "Singh",
          "Cohen",
          "Dubois");

  @Override
  String name() {
    return "employees";
  }

  @Override
  String description() {
    return "employees with name, age, department, skills, salary and hire date; salary grows"
        + " with age, skills and department";
  }

  @Override
  List<String> files() {
    return List.of(FILE);
  }

  @Override
  List<SampleFile> write(long rows, long seed, FileSink sink) throws IOException {
    int totalWeight = DEPARTMENTS.stream().mapToInt(Department::weight).sum();
    try (CsvWriter w =
        open(
            sink,
            FILE,
            "employee_id",
            "name",
            "age",
            "department",
            "skills",
            "salary",
            "hire_date")) {
      for (long i = 0; i < rows; i++) {
        Random r = Rand.of(seed, EMPLOYEE, i);
        String name = Rand.pick(r, FIRST) + " " + Rand.pick(r, LAST);
        int style = r.nextInt(50);
        if (style == 0) {
          name = name + ", Jr.";
        } else if (style == 1) {
          String[] parts = name.split(" ", 2);
          name =
              parts[0]
                  + " \""
                  + parts[0].substring(0, Math.min(3, parts[0].length()))
                  + "\" "
                  + parts[1];
        }
        int age = 22 + (int) Math.floor(44 * (r.nextDouble() + r.nextDouble()) / 2);
        Department dept = department(r.nextInt(totalWeight));
        int experience = Math.max(0, age - 22 - r.nextInt(4));
        int tenure = r.nextInt(Math.min(experience, 30) + 1);
        LocalDate hired = AS_OF.minusYears(tenure).minusDays(r.nextInt(365));
        int nSkills = Math.min(8, 1 + experience / 6 + r.nextInt(3));
        Set<String> skills = new LinkedHashSet<>();
        while (skills.size() < nSkills) {
          skills.add(r.nextInt(5) == 0 ? Rand.pick(r, GENERAL) : Rand.pick(r, dept.skills));
          if (skills.size() >= dept.skills.size() + GENERAL.size() - 1) {
            break;
          }
        }
        double salary =
            dept.base + 1_700.0 * experience + 3_800.0 * skills.size() + r.nextGaussian() * 6_000;
        long rounded = Math.max(25_000, Math.round(salary / 100) * 100);
        w.row(
            Long.toString(i + 1),
            name,
            Integer.toString(age),
            dept.name,
            String.join(";", skills),
            Long.toString(rounded),
            hired.toString());
      }
      return List.of(w.finish(FILE));
    }
  }

  private static Department department(int ticket) {
    for (Department d : DEPARTMENTS) {
      ticket -= d.weight;
      if (ticket < 0) {
        return d;
      }
    }
    throw new IllegalStateException("weights");
  }
}

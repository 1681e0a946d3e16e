package dev.basin.etl.sample;

import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Artists, albums and tracks. Tracks are numbered within albums (contiguous runs of tracks), and
 * albums are spread over artists the same way, so every artist has an album and every album a
 * track. Each entity is a pure function of (seed, index): a track recomputes its album and artist
 * instead of looking them up.
 */
final class SpotifyDataset extends Dataset {
  static final String ARTISTS = "artists/artists.csv";
  static final String ALBUMS = "albums/albums.csv";
  static final String TRACKS = "tracks/tracks.csv";

  private static final long ARTIST = 1;
  private static final long ALBUM = 2;
  private static final long TRACK = 3;
  private static final LocalDate FIRST_RELEASE = LocalDate.of(1965, 1, 1);
  private static final int RELEASE_DAYS =
      (int) (LocalDate.of(2023, 12, 31).toEpochDay() - FIRST_RELEASE.toEpochDay());

  private static final List<String> GENRES =
      List.of(
          "pop",
          "dance pop",
          "rock",
          "indie rock",
          "hip hop",
          "rap",
          "r&b",
          "edm",
          "house",
          "techno",
          "jazz",
          "soul",
          "country",
          "latin",
          "reggaeton",
          "k-pop",
          "metal",
          "punk",
          "folk",
          "classical",
          "blues",
          "afrobeats",
          "trap",
          "lo-fi");
  private static final List<String> LABELS =
      List.of(
          "Columbia",
          "Atlantic Records",
          "Interscope",
          "Republic Records",
          "Def Jam",
          "Island",
          "Sub Pop",
          "Warp Records",
          "XL Recordings",
          "Blue Note",
          "Domino",
          "Epic",
          "Capitol Records",
          "Independent",
          "Nonesuch",
          "4AD",
          "Matador",
          "Big Machine");
  private static final List<String> ADJ =
      List.of(
          "Golden",
          "Electric",
          "Midnight",
          "Silent",
          "Broken",
          "Wild",
          "Neon",
          "Velvet",
          "Lost",
          "Burning",
          "Crystal",
          "Hollow",
          "Endless",
          "Sweet",
          "Cold",
          "Blue",
          "Northern",
          "Lucky",
          "Savage",
          "Gentle",
          "Paper",
          "Summer",
          "Restless",
          "Strange");
  private static final List<String> NOUN =
      List.of(
          "Heart", "River", "Dream", "Fire", "Ocean", "Shadow", "Light", "Road", "Star", "City",
          "Rain", "Mirror", "Garden", "Ghost", "Wave", "Storm", "Horizon", "Echo", "Angel", "Moon",
          "Signal", "Harbor", "Machine", "Diamond");
  private static final List<String> FIRST =
      List.of(
          "Ava", "Liam", "Mia", "Noah", "Zoe", "Kai", "Luna", "Omar", "Ines", "Mateo", "Yara",
          "Jonas", "Sofia", "Ravi", "Chloe", "Diego", "Amara", "Felix", "Hana", "Leo");
  private static final List<String> LAST =
      List.of(
          "Rivers",
          "Stone",
          "Carter",
          "Nakamura",
          "Okafor",
          "Silva",
          "Novak",
          "Hughes",
          "Reyes",
          "Park",
          "Lindqvist",
          "O'Neil",
          "Moreau",
          "Kowalski",
          "Bennett",
          "Haddad",
          "Fischer");

  @Override
  String name() {
    return "spotify";
  }

  @Override
  String description() {
    return "artists, albums and tracks in three CSVs with shared ids and duplicated columns"
        + " (--rows = tracks; albums = rows/10, artists = rows/50)";
  }

  @Override
  List<String> files() {
    return List.of(ARTISTS, ALBUMS, TRACKS);
  }

  static long albums(long tracks) {
    return Math.max(1, tracks / 10);
  }

  static long artists(long tracks) {
    return Math.max(1, tracks / 50);
  }

  @Override
  List<SampleFile> write(long rows, long seed, FileSink sink) throws IOException {
    Shape shape = new Shape(seed, rows, albums(rows), artists(rows));
    List<SampleFile> written = new ArrayList<>();
    try (CsvWriter w =
        open(
            sink,
            ARTISTS,
            "artist_id",
            "artist_name",
            "artist_popularity",
            "followers",
            "genres")) {
      for (long i = 0; i < shape.artists; i++) {
        Artist a = shape.artist(i);
        w.row(a.id, a.name, Integer.toString(a.popularity), Long.toString(a.followers), a.genres);
      }
      written.add(w.finish(ARTISTS));
    }
    try (CsvWriter w =
        open(
            sink,
            ALBUMS,
            "album_id",
            "album_name",
            "artist_id",
            "artist_name",
            "release_date",
            "label",
            "total_tracks",
            "album_popularity",
            "album_type")) {
      for (long i = 0; i < shape.albums; i++) {
        Album a = shape.album(i);
        w.row(
            a.id,
            a.name,
            a.artist.id,
            a.artist.name,
            a.releaseDate.toString(),
            a.label,
            Long.toString(a.totalTracks),
            Integer.toString(a.popularity),
            a.totalTracks <= 3 ? "single" : "album");
      }
      written.add(w.finish(ALBUMS));
    }
    try (CsvWriter w =
        open(
            sink,
            TRACKS,
            "track_id",
            "track_name",
            "album_id",
            "artist_id",
            "track_number",
            "duration_ms",
            "explicit",
            "popularity",
            "danceability",
            "energy",
            "loudness",
            "speechiness",
            "acousticness",
            "instrumentalness",
            "liveness",
            "valence",
            "tempo",
            "time_signature")) {
      Album album = null;
      for (long i = 0; i < shape.tracks; i++) {
        long a = shape.albumOfTrack(i);
        if (album == null || album.index != a) {
          album = shape.album(a);
        }
        w.row(shape.track(i, album));
      }
      written.add(w.finish(TRACKS));
    }
    return written;
  }

  static String plural(String noun) {
    return noun.endsWith("y") ? noun.substring(0, noun.length() - 1) + "ies" : noun + "s";
  }

  record Artist(String id, String name, int popularity, long followers, String genres) {}

  record Album(
      long index,
      String id,
      String name,
      Artist artist,
      LocalDate releaseDate,
      String label,
      long firstTrack,
      long totalTracks,
      int popularity) {}

  /** The sizes and the per-index functions of one generated set. */
  static final class Shape {
    final long seed;
    final long tracks;
    final long albums;
    final long artists;

    Shape(long seed, long tracks, long albums, long artists) {
      this.seed = seed;
      this.tracks = tracks;
      this.albums = albums;
      this.artists = artists;
    }

    long albumOfTrack(long track) {
      return track * albums / tracks;
    }

    /** The first track of album {@code a}: the smallest t with albumOfTrack(t) == a. */
    long firstTrack(long a) {
      return (a * tracks + albums - 1) / albums;
    }

    long artistOfAlbum(long album) {
      return album * artists / albums;
    }

    Artist artist(long i) {
      Random r = Rand.of(seed, ARTIST, i);
      String name;
      int style = r.nextInt(10);
      if (style < 4) {
        name = Rand.pick(r, FIRST) + " " + Rand.pick(r, LAST);
      } else if (style < 7) {
        name = "The " + Rand.pick(r, ADJ) + " " + plural(Rand.pick(r, NOUN));
      } else if (style < 9) {
        name = Rand.pick(r, NOUN) + " & " + Rand.pick(r, NOUN);
      } else {
        name = Rand.pick(r, FIRST) + " \"" + Rand.pick(r, NOUN) + "\" " + Rand.pick(r, LAST);
      }
      // popularity: most artists are obscure, a few are huge
      double p = Math.pow(r.nextDouble(), 1.6);
      int popularity = (int) Math.round(100 * (1 - p) * 0.95);
      long followers = Math.round(Math.exp(popularity / 7.0) * (1 + r.nextDouble()) * 3);
      int nGenres = 1 + r.nextInt(3);
      StringBuilder genres = new StringBuilder();
      int g = r.nextInt(GENRES.size());
      for (int k = 0; k < nGenres; k++) {
        if (k > 0) {
          genres.append(", ");
        }
        genres.append(GENRES.get((g + k * 7) % GENRES.size()));
      }
      return new Artist(Rand.id(seed, ARTIST, i), name, popularity, followers, genres.toString());
    }

    Album album(long i) {
      Random r = Rand.of(seed, ALBUM, i);
      Artist artist = artist(artistOfAlbum(i));
      String name;
      int style = r.nextInt(10);
      if (style < 5) {
        name = Rand.pick(r, ADJ) + " " + Rand.pick(r, NOUN);
      } else if (style < 7) {
        name = plural(Rand.pick(r, NOUN)) + ", Vol. " + (1 + r.nextInt(4));
      } else if (style < 9) {
        name = "Live at the " + Rand.pick(r, NOUN);
      } else {
        name = Rand.pick(r, NOUN) + " (Deluxe Edition)";
      }
      LocalDate release = FIRST_RELEASE.plusDays(r.nextInt(RELEASE_DAYS + 1));
      int popularity =
          (int) Rand.clamp(Math.round(artist.popularity + r.nextGaussian() * 10), 0, 100);
      long first = firstTrack(i);
      long total = firstTrack(i + 1) - first;
      return new Album(
          i,
          Rand.id(seed, ALBUM, i),
          name,
          artist,
          release,
          Rand.pick(r, LABELS),
          first,
          total,
          popularity);
    }

    String[] track(long i, Album album) {
      Random r = Rand.of(seed, TRACK, i);
      String name;
      int style = r.nextInt(12);
      if (style < 5) {
        name = Rand.pick(r, ADJ) + " " + Rand.pick(r, NOUN);
      } else if (style < 7) {
        name = Rand.pick(r, NOUN) + " of the " + Rand.pick(r, NOUN);
      } else if (style < 9) {
        name = Rand.pick(r, NOUN) + " (feat. " + Rand.pick(r, FIRST) + ")";
      } else if (style < 11) {
        name = Rand.pick(r, NOUN) + ", " + Rand.pick(r, NOUN);
      } else {
        name = "\"" + Rand.pick(r, ADJ) + "\" " + Rand.pick(r, NOUN);
      }
      double energy = r.nextDouble();
      double acousticness = Rand.clamp(1 - energy + r.nextGaussian() * 0.15, 0, 1);
      double loudness = Rand.clamp(-25 + 22 * energy + r.nextGaussian() * 2, -60, 0);
      double danceability = Rand.clamp(0.3 + 0.5 * r.nextDouble() + 0.1 * energy, 0, 1);
      int popularity =
          (int) Rand.clamp(Math.round(album.popularity + r.nextGaussian() * 8), 0, 100);
      return new String[] {
        Rand.id(seed, TRACK, i),
        name,
        album.id,
        album.artist.id,
        Long.toString(i - album.firstTrack + 1),
        Integer.toString(90_000 + r.nextInt(240_000)),
        r.nextInt(100) < 15 ? "true" : "false",
        Integer.toString(popularity),
        Rand.fixed(danceability, 3),
        Rand.fixed(energy, 3),
        Rand.fixed(loudness, 3),
        Rand.fixed(Math.pow(r.nextDouble(), 4) * 0.6, 4),
        Rand.fixed(acousticness, 4),
        Rand.fixed(r.nextInt(10) < 2 ? r.nextDouble() : r.nextDouble() * 0.01, 4),
        Rand.fixed(0.05 + Math.pow(r.nextDouble(), 3) * 0.9, 4),
        Rand.fixed(r.nextDouble(), 3),
        Rand.fixed(70 + r.nextDouble() * 110, 3),
        Integer.toString(r.nextInt(10) < 8 ? 4 : (r.nextBoolean() ? 3 : 5))
      };
    }
  }
}

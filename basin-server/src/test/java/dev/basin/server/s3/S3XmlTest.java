package dev.basin.server.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.spi.storage.CompletedPart;
import dev.basin.spi.storage.LifecycleConfiguration;
import dev.basin.spi.storage.LifecycleRule;
import dev.basin.spi.storage.ObjectRef;
import dev.basin.spi.storage.VersioningStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3XmlTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static S3Exception error(Runnable r) {
    try {
      r.run();
    } catch (S3Exception e) {
      return e;
    }
    throw new AssertionError("expected an S3Exception");
  }

  @Test
  void parsesDeleteWithVersionsQuietAndEscapedKeys() {
    S3Xml.DeleteRequest d =
        S3Xml.parseDelete(
            b(
                "<?xml version=\"1.0\"?><Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                    + "<Quiet>true</Quiet><Object><Key>a&amp;b &lt;c&gt;</Key></Object>"
                    + "<Object><Key>k</Key><VersionId>v1</VersionId></Object></Delete>"));
    assertThat(d.quiet()).isTrue();
    assertThat(d.objects()).containsExactly(ObjectRef.of("a&b <c>"), new ObjectRef("k", "v1"));
  }

  @Test
  void rejectsExternalEntitiesAndDtds() {
    String xxe =
        "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
            + "<Delete><Object><Key>&x;</Key></Object></Delete>";
    S3Exception e = error(() -> S3Xml.parseDelete(b(xxe)));
    assertThat(e.code()).isEqualTo("MalformedXML");
    assertThat(e.getMessage()).doesNotContain("root:");
    String bomb =
        "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;\">]>"
            + "<Delete><Object><Key>&b;</Key></Object></Delete>";
    assertThat(error(() -> S3Xml.parseDelete(b(bomb))).code()).isEqualTo("MalformedXML");
  }

  @Test
  void malformedDocumentsAreMalformedXml() {
    for (String doc :
        List.of(
            "",
            "<Delete>",
            "<Delete><Object><Key>x</Key></Object>",
            "<Other/>",
            "<Delete/>",
            "<Delete><Object><VersionId>1</VersionId></Object></Delete>",
            "<Delete><Object><Key>a</Key></Object></Delete><Delete/>",
            "not xml at all")) {
      S3Exception e = error(() -> S3Xml.parseDelete(b(doc)));
      assertThat(e.code()).as(doc).isEqualTo("MalformedXML");
      assertThat(e.status()).isEqualTo(400);
    }
  }

  @Test
  void parsesCompleteMultipartUploadWithQuotedEtags() {
    List<CompletedPart> parts =
        S3Xml.parseCompleteMultipartUpload(
            b(
                "<CompleteMultipartUpload><Part><ETag>\"abc\"</ETag><PartNumber>1</PartNumber>"
                    + "<ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>"
                    + "<Part><PartNumber>2</PartNumber><ETag>def</ETag></Part></CompleteMultipartUpload>"));
    assertThat(parts).containsExactly(new CompletedPart(1, "abc"), new CompletedPart(2, "def"));
    assertThat(
            error(
                    () ->
                        S3Xml.parseCompleteMultipartUpload(
                            b(
                                "<CompleteMultipartUpload><Part><PartNumber>x</PartNumber><ETag>a</ETag></Part></CompleteMultipartUpload>")))
                .code())
        .isEqualTo("MalformedXML");
  }

  @Test
  void versioningRoundTrip() {
    assertThat(
            S3Xml.parseVersioning(
                b("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")))
        .isEqualTo(VersioningStatus.ENABLED);
    assertThat(s(S3Xml.versioning(VersioningStatus.SUSPENDED)))
        .contains("<Status>Suspended</Status>");
    assertThat(s(S3Xml.versioning(VersioningStatus.UNVERSIONED))).doesNotContain("Status");
    assertThat(
            error(
                    () ->
                        S3Xml.parseVersioning(
                            b(
                                "<VersioningConfiguration><Status>On</Status></VersioningConfiguration>")))
                .code())
        .isEqualTo("MalformedXML");
  }

  @Test
  void taggingRoundTripAndLimits() {
    Map<String, String> tags =
        S3Xml.parseTagging(
            b(
                "<Tagging><TagSet><Tag><Key>team</Key><Value>data</Value></Tag><Tag><Key>pii</Key><Value></Value></Tag></TagSet></Tagging>"));
    assertThat(tags).containsEntry("team", "data").containsEntry("pii", "");
    assertThat(S3Xml.parseTagging(S3Xml.tagging(tags))).isEqualTo(tags);
    StringBuilder many = new StringBuilder("<Tagging><TagSet>");
    for (int i = 0; i < 11; i++) {
      many.append("<Tag><Key>k").append(i).append("</Key><Value>v</Value></Tag>");
    }
    assertThat(error(() -> S3Xml.parseTagging(b(many + "</TagSet></Tagging>"))).code())
        .isEqualTo("BadRequest");
    assertThat(
            error(
                    () ->
                        S3Xml.parseTagging(
                            b(
                                "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value></Tag></TagSet></Tagging>")))
                .code())
        .isEqualTo("InvalidArgument");
  }

  @Test
  void lifecycleRoundTripKeepsEveryAction() {
    String doc =
        "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            + "<Rule><ID>archive</ID><Filter><And><Prefix>logs/</Prefix>"
            + "<Tag><Key>tier</Key><Value>cold</Value></Tag><ObjectSizeGreaterThan>100</ObjectSizeGreaterThan>"
            + "</And></Filter><Status>Enabled</Status>"
            + "<Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition>"
            + "<Expiration><Days>365</Days></Expiration>"
            + "<NoncurrentVersionTransition><NoncurrentDays>10</NoncurrentDays><StorageClass>GLACIER</StorageClass></NoncurrentVersionTransition>"
            + "<NoncurrentVersionExpiration><NoncurrentDays>40</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration>"
            + "<AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload>"
            + "</Rule>"
            + "<Rule><ID>markers</ID><Prefix>tmp/</Prefix><Status>Disabled</Status>"
            + "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>"
            + "<Rule><Filter><Tag><Key>t</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status>"
            + "<Expiration><Days>1</Days></Expiration></Rule>"
            + "</LifecycleConfiguration>";
    LifecycleConfiguration c = S3Xml.parseLifecycle(b(doc));
    assertThat(c.rules()).hasSize(3);
    LifecycleRule r = c.rules().get(0);
    assertThat(r.id()).isEqualTo("archive");
    assertThat(r.enabled()).isTrue();
    assertThat(r.filter())
        .isEqualTo(new LifecycleRule.Filter("logs/", Map.of("tier", "cold"), 100L, null));
    assertThat(r.transitionDays()).isEqualTo(30);
    assertThat(r.transitionStorageClass()).isEqualTo("GLACIER");
    assertThat(r.expirationDays()).isEqualTo(365);
    assertThat(r.noncurrentTransitionDays()).isEqualTo(10);
    assertThat(r.noncurrentDays()).isEqualTo(40);
    assertThat(r.newerNoncurrentVersions()).isEqualTo(2);
    assertThat(r.abortIncompleteMultipartDays()).isEqualTo(7);
    LifecycleRule legacy = c.rules().get(1);
    assertThat(legacy.filter()).isEqualTo(LifecycleRule.Filter.prefix("tmp/"));
    assertThat(legacy.enabled()).isFalse();
    assertThat(legacy.expiredObjectDeleteMarker()).isTrue();
    assertThat(c.rules().get(2).id()).isEqualTo("rule-3");

    assertThat(S3Xml.parseLifecycle(S3Xml.lifecycle(c))).isEqualTo(c);
    assertThat(s(S3Xml.lifecycle(c)))
        .contains("<Filter><And><Prefix>logs/</Prefix>")
        .contains("<Filter><Prefix>tmp/</Prefix></Filter>");
  }

  @Test
  void invalidLifecycleRulesNameTheRule() {
    S3Exception noAction =
        error(
            () ->
                S3Xml.parseLifecycle(
                    b(
                        "<LifecycleConfiguration><Rule><ID>r1</ID><Filter><Prefix/></Filter><Status>Enabled</Status></Rule></LifecycleConfiguration>")));
    assertThat(noAction.code()).isEqualTo("InvalidRequest");
    assertThat(noAction.getMessage()).contains("r1");
    assertThat(
            error(
                    () ->
                        S3Xml.parseLifecycle(
                            b(
                                "<LifecycleConfiguration><Rule><ID>r</ID><Filter/><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>")))
                .code())
        .isEqualTo("MalformedXML");
    assertThat(
            error(
                    () ->
                        S3Xml.parseLifecycle(
                            b(
                                "<LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Expiration><Days>-1</Days></Expiration></Rule></LifecycleConfiguration>")))
                .code())
        .isEqualTo("InvalidArgument");
    assertThat(
            error(
                    () ->
                        S3Xml.parseLifecycle(
                            b(
                                "<LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule></LifecycleConfiguration>")))
                .code())
        .isEqualTo("NotImplemented");
    assertThat(
            error(
                    () ->
                        S3Xml.parseLifecycle(
                            b(
                                "<LifecycleConfiguration><Rule><ID>a</ID><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>"
                                    + "<Rule><ID>a</ID><Status>Enabled</Status><Expiration><Days>2</Days></Expiration></Rule></LifecycleConfiguration>")))
                .code())
        .isEqualTo("InvalidArgument");
    assertThat(
            error(
                    () ->
                        S3Xml.parseLifecycle(
                            b(
                                "<LifecycleConfiguration><Rule><ID>a</ID><Prefix>x</Prefix><Filter><Prefix>y</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>")))
                .code())
        .isEqualTo("MalformedXML");
  }

  @Test
  void createBucketAcceptsEmptyOrLocationConstraint() {
    S3Xml.parseCreateBucket(null);
    S3Xml.parseCreateBucket(b(""));
    S3Xml.parseCreateBucket(
        b(
            "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>"));
    assertThatThrownBy(() -> S3Xml.parseCreateBucket(b("<Nope/>"))).isInstanceOf(S3Exception.class);
  }

  @Test
  void errorDocumentHasS3Shape() {
    S3Exception e =
        new S3Exception(
            "NoSuchKey", 404, "The specified key does not exist.", Map.of("Key", "a<b"));
    String xml = s(S3Responses.error(e, "/raw/a%3Cb", "REQ1"));
    assertThat(xml)
        .contains(
            "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>")
        .contains("<Key>a&lt;b</Key>")
        .contains("<Resource>/raw/a%3Cb</Resource><RequestId>REQ1</RequestId>");
  }

  @Test
  void continuationTokensRoundTripAndRejectForgeries() {
    String t = S3Responses.continuationToken("dir/ä key");
    assertThat(S3Responses.startAfterOf(t)).isEqualTo("dir/ä key");
    assertThat(error(() -> S3Responses.startAfterOf("garbage!")).code())
        .isEqualTo("InvalidArgument");
  }
}

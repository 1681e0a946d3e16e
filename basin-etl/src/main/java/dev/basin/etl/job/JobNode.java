package dev.basin.etl.job;

import java.util.List;

/** One node of a job's DAG. */
public sealed interface JobNode permits SourceNode, TransformNode, QualityNode, TargetNode {

  /** The node id: {@code [a-z_][a-z0-9_]{0,62}}, unique in the job; also its relation name. */
  String id();

  /** The ids of the nodes this node reads, in order; empty for sources. */
  List<String> inputs();

  /** The type name as written in the job's YAML, e.g. {@code source}, {@code Join}. */
  String type();
}

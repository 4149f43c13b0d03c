"""Issue #10's second-edition topics (functional ops, layers and ops, multi-device and runtime).

Each sub-topic is named by the API a porter would type; the test fails when no bundled entry
with the topic's tag carries that name among its aliases or in its snippets' code, so none of
these entries can quietly disappear or lose the term that finds it.
"""

from __future__ import annotations

import ast

import pytest

from fwcheat.knowledge import KnowledgeBase
from fwcheat.load import load_knowledge
from fwcheat.search import Searcher
from fwcheat.store import open_store

#: sub-topic -> (the tag its entries carry, a term an entry must carry for it)
SUBTOPICS: dict[str, tuple[str, str]] = {
    # functional operators as hybrid_forward writes them
    "F.FullyConnected": ("hybrid-forward-f", "F.FullyConnected"),
    "F.Convolution": ("hybrid-forward-f", "F.Convolution"),
    "F.Pooling": ("hybrid-forward-f", "F.Pooling"),
    "F.Activation": ("hybrid-forward-f", "F.Activation"),
    "F.slice_like": ("hybrid-forward-f", "F.slice_like"),
    "F.SliceChannel": ("hybrid-forward-f", "SliceChannel"),
    "F.contrib.foreach": ("hybrid-forward-f", "foreach"),
    "F.contrib.while_loop": ("hybrid-forward-f", "while_loop"),
    "F.contrib.cond": ("hybrid-forward-f", "F.contrib.cond"),
    "reshape special codes from a plain query": ("hybrid-forward-f", "reshape -3"),
    "is_training / is_recording": ("hybrid-forward-f", "autograd.is_training"),
    "self.training / is_grad_enabled": ("hybrid-forward-f", "torch.is_grad_enabled"),
    "parameters injected into hybrid_forward": ("hybrid-forward-f", "params.get"),
    "F.BatchNorm's fix_gamma": ("hybrid-forward-f", "fix_gamma"),
    "F.Dropout modes": ("hybrid-forward-f", "F.Dropout"),
    "F.Embedding": ("hybrid-forward-f", "F.Embedding"),
    "F.Deconvolution": ("hybrid-forward-f", "F.Deconvolution"),
    "SequenceLast / SequenceReverse": ("hybrid-forward-f", "SequenceLast"),
    "shape-free helpers": ("hybrid-forward-f", "F.contrib.arange_like"),
    "adaptive average pooling": ("hybrid-forward-f", "AdaptiveAvgPooling2D"),
    "gradient reversal (gradientmultiplier)": ("grad-hooks", "gradientmultiplier"),
    # layers and ops
    "bidirectional RNNs": ("rnn-advanced", "bidirectional"),
    "use_sequence_length vs pack_padded_sequence": ("rnn-advanced", "pack_padded_sequence"),
    "use_sequence_length": ("rnn-advanced", "use_sequence_length"),
    "RNN cells and unroll": ("rnn-advanced", "unroll"),
    "LSTM projection": ("rnn-advanced", "projection_size"),
    "truncated BPTT": ("rnn-advanced", "truncated BPTT"),
    "GroupNorm / InstanceNorm": ("conv-variants", "GroupNorm"),
    "box_encode / box_decode": ("detection-ops", "box_encode"),
    "bipartite_matching": ("detection-ops", "bipartite_matching"),
    "linalg diagonals and triangles": ("linalg", "extracttrian"),
    "gradient compression": ("kvstore", "set_gradient_compression"),
    "MCC": ("metrics-advanced", "MCC"),
    "CrossEntropy metric": ("metrics-advanced", "mx.metric.CrossEntropy"),
    "replacing layers": ("model-traversal", "replace layers"),
    "numeric gradient check": ("runtime", "check_numeric_gradient"),
    "grouped convolution": ("conv-variants", "groups"),
    "depthwise convolution": ("conv-variants", "depthwise convolution"),
    "dilated convolution": ("conv-variants", "dilation"),
    "BatchNorm(scale=False, center=False)": ("conv-variants", "scale=False"),
    "SyncBatchNorm": ("conv-variants", "SyncBatchNorm"),
    "HybridConcurrent": ("conv-variants", "HybridConcurrent"),
    "Identity": ("conv-variants", "Identity"),
    "HybridLambda": ("conv-variants", "HybridLambda"),
    "nn.MultiheadAttention": ("attention", "nn.MultiheadAttention"),
    "scaled_dot_product_attention": ("attention", "F.scaled_dot_product_attention"),
    "causal masks": ("attention", "causal mask"),
    "box_nms": ("detection-ops", "box_nms"),
    "box_iou": ("detection-ops", "box_iou"),
    "ROIAlign": ("detection-ops", "ROIAlign"),
    "ROIPooling": ("detection-ops", "ROIPooling"),
    "MultiBoxPrior": ("detection-ops", "MultiBoxPrior"),
    "MultiBoxTarget": ("detection-ops", "MultiBoxTarget"),
    "MultiBoxDetection": ("detection-ops", "MultiBoxDetection"),
    "GridGenerator": ("spatial-transformer", "GridGenerator"),
    "BilinearSampler": ("spatial-transformer", "BilinearSampler"),
    "affine_grid + grid_sample": ("spatial-transformer", "grid_sample"),
    "potrf": ("linalg", "potrf"),
    "inverse": ("linalg", "nd.linalg.inverse"),
    "det": ("linalg", "nd.linalg.det"),
    "slogdet": ("linalg", "slogdet"),
    "syevd": ("linalg", "syevd"),
    "gelqf": ("linalg", "gelqf"),
    "trsm": ("linalg", "trsm"),
    "row_sparse": ("sparse", "row_sparse"),
    "csr": ("sparse", "csr_matrix"),
    "SparseEmbedding": ("sparse", "SparseEmbedding"),
    "sparse.dot": ("sparse", "sparse.dot"),
    "torch.sparse": ("sparse", "torch.sparse.mm"),
    "CustomOp": ("custom-op", "CustomOp"),
    "CustomOpProp": ("custom-op", "CustomOpProp"),
    "nd.Custom": ("custom-op", "nd.Custom"),
    "int8 quantization": ("quantization", "int8"),
    "gradient hooks": ("grad-hooks", "register_hook"),
    "module backward hooks": ("grad-hooks", "register_full_backward_hook"),
    "ignore_index in cross-entropy": ("ignore-index", "ignore_index"),
    # multi-device and runtime
    "kvstore": ("kvstore", "kvstore"),
    "kv.create": ("kvstore", "mx.kv.create"),
    "dist_sync": ("kvstore", "dist_sync"),
    "dist_device_sync": ("kvstore", "dist_device_sync"),
    "Trainer(kvstore=...)": ("kvstore", "Trainer kvstore"),
    "DistributedDataParallel": ("kvstore", "DistributedDataParallel"),
    "DistributedSampler": ("kvstore", "DistributedSampler"),
    "with mx.gpu(1)": ("runtime", "with mx.gpu(1)"),
    "torch.cuda.device / set_default_device": ("runtime", "torch.set_default_device"),
    "GPU memory queries": ("runtime", "gpu_memory_info"),
    "cuDNN autotune": ("runtime", "MXNET_CUDNN_AUTOTUNE_DEFAULT"),
    "determinism": ("runtime", "use_deterministic_algorithms"),
    "MXNET_BACKWARD_DO_MIRROR": ("runtime", "MXNET_BACKWARD_DO_MIRROR"),
    "activation checkpointing": ("runtime", "torch.utils.checkpoint"),
    "MXBoard": ("runtime", "MXBoard"),
    "torch.utils.tensorboard": ("runtime", "torch.utils.tensorboard"),
    "assert_almost_equal": ("runtime", "assert_almost_equal"),
    "torch.testing.assert_close": ("runtime", "torch.testing.assert_close"),
    "_children": ("model-traversal", "_children"),
    "collect_params().items()": ("model-traversal", "collect_params"),
    "apply": ("model-traversal", "apply"),
    "named_modules": ("model-traversal", "named_modules"),
    "Perplexity(ignore_label)": ("metrics-advanced", "Perplexity"),
    "F1": ("metrics-advanced", "F1"),
    "PearsonCorrelation": ("metrics-advanced", "PearsonCorrelation"),
    "custom EvalMetric": ("metrics-advanced", "EvalMetric"),
}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge(include_user=False)


def _carries(entry_aliases: list[str], code: str, term: str) -> bool:
    return any(term.lower() == alias.lower() for alias in entry_aliases) or term in code


@pytest.mark.parametrize(("subtopic", "tag_term"), sorted(SUBTOPICS.items()), ids=sorted(SUBTOPICS))
def test_subtopic_is_covered(kb: KnowledgeBase, subtopic: str, tag_term: tuple[str, str]) -> None:
    tag, term = tag_term
    tagged = [e for e in kb if tag in e.tags]
    assert tagged, f"no entry carries the tag `{tag}` (needed for {subtopic!r})"
    carrying = [
        e.id
        for e in tagged
        if _carries(list(e.aliases), "\n".join(s.code for _, s in e.snippets.items()), term)
    ]
    assert carrying, f"no `{tag}` entry names {term!r} (sub-topic {subtopic!r})"


def _assigns(source: str, name: str) -> bool:
    """Whether ``source`` binds ``name`` (an assignment, a tuple unpacking, a for target)."""
    return any(
        isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store)
        for node in ast.walk(ast.parse(source))
    )


def test_compare_variables_are_computed_in_both_snippets(kb: KnowledgeBase) -> None:
    """Every entry of these topics has both frameworks; a `compare` names a variable both bind."""
    tags = {tag for tag, _ in SUBTOPICS.values()}
    for entry in kb:
        if not tags & set(entry.tags):
            continue
        for fw in ("pytorch", "mxnet"):
            snippet = entry.snippets.get(fw)
            assert snippet is not None, f"{entry.id} has no {fw} snippet"
            if entry.compare:
                assert _assigns(snippet.setup + "\n" + snippet.code, entry.compare), (
                    f"{entry.id}: `{entry.compare}` is not computed in the {fw} snippet"
                )


def test_plain_reshape_query_reaches_the_special_codes() -> None:
    """A porter typing just `reshape` must find the entry that explains 0 / -1 / -2 / -3 / -4."""
    searcher = Searcher(open_store(include_user=False))
    hits = [hit.entry.id for hit in searcher.search("reshape", limit=10)]
    assert "f-reshape-codes" in hits or "reshape-special-codes" in hits, hits

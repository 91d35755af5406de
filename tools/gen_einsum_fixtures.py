#!/usr/bin/python3
"""PyTorch reference values for wick::einsum and wick::diagonal: tests/fixtures/ops_einsum.safetensors.

Run with Debian's python (torch 1.13):  /usr/bin/python3 tools/gen_einsum_fixtures.py

The file has the layout of the ops_* files (see tools/gen_fixtures.py, whose case writer this reuses), so
tests/lib/einsum_test.cpp runs it with the same engine: each case stores its inputs (float64 unless the name says
otherwise), the output, a random upstream gradient "gout" and the gradients of sum(out * gout) with respect to
each floating input; error cases are calls PyTorch rejects. einsum's equation is the "equation" argument and its
operands are the inputs a, b, c, ... in order; diagonal takes "offset", "dim1" and "dim2".
"""
import sys

import torch

from gen_fixtures import OPS, Group, b8, f32, i64, r

OPS["einsum"] = lambda x, a: torch.einsum(a["equation"], *x)
OPS["diagonal"] = lambda x, a: torch.diagonal(x[0], a["offset"], a["dim1"], a["dim2"])

# (case, equation, operand shapes): every part of the syntax, on float64.
EINSUM = [
    ("matmul", "ij,jk->ik", [(3, 4), (4, 5)]),
    ("matmul_implicit", "ij,jk", [(3, 4), (4, 5)]),
    ("matmul_bT", "ik,jk->ij", [(3, 4), (5, 4)]),
    ("bmm", "bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("outer", "i,j->ij", [(3,), (4,)]),
    ("outer_2d", "ij,kl->ijkl", [(2, 3), (3, 2)]),
    ("dot", "i,i->", [(5,), (5,)]),
    ("hadamard", "ij,ij->ij", [(3, 4), (3, 4)]),
    ("frobenius", "ij,ij->", [(3, 4), (3, 4)]),
    ("trace", "ii", [(4, 4)]),
    ("trace_explicit", "ii->", [(4, 4)]),
    ("diag", "ii->i", [(4, 4)]),
    ("diag_then_sum", "iij->j", [(3, 3, 4)]),
    ("diag_triple", "iii->i", [(3, 3, 3)]),
    ("diag_times_vector", "ii,i->i", [(3, 3), (3,)]),
    ("transpose", "ij->ji", [(3, 4)]),
    ("permute_3d", "ijk->kij", [(2, 3, 4)]),
    ("sum_all", "ij->", [(3, 4)]),
    ("sum_vector", "i->", [(5,)]),
    ("sum_rows", "ij->i", [(3, 4)]),
    ("identity_implicit", "ij", [(3, 4)]),
    ("implicit_sorted", "ji", [(3, 4)]),
    ("bilinear", "bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    ("chain3", "ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("chain4_outer", "a,b,c,d->abcd", [(2,), (3,), (1,), (2,)]),
    ("separate_sums", "i,j,k->", [(2,), (3,), (4,)]),
    ("two_contracted", "ijk,jkl->il", [(2, 3, 4), (3, 4, 5)]),
    ("matmul_sum", "ij,jk->", [(3, 4), (4, 5)]),
    ("attention_scores", "bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("attention_values", "bhqk,bhkd->bhqd", [(2, 3, 4, 6), (2, 3, 6, 5)]),
    ("ellipsis_matmul", "...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),
    ("ellipsis_implicit", "...ij,...jk", [(2, 3, 4), (2, 4, 5)]),
    ("ellipsis_batch_first", "b...,...->b...", [(3, 4, 5), (5,)]),
    ("ellipsis_identity", "...->...", [(2, 3)]),
    ("ellipsis_batch_diag", "...ii->...i", [(2, 3, 3)]),
    ("ellipsis_summed", "i...->i", [(3, 2, 4)]),
    ("ellipsis_summed_pair", "...i,...i->i", [(2, 3), (3,)]),
    ("ellipsis_middle", "i...j,j->i...", [(2, 3, 4, 5), (5,)]),
    ("ellipsis_empty", "...ij,jk->...ik", [(3, 4), (4, 2)]),
    ("broadcast_contracted", "ij,jk->ik", [(3, 1), (4, 5)]),
    ("broadcast_batch", "bij,bjk->bik", [(1, 3, 4), (2, 4, 5)]),
    ("broadcast_kept", "ij,ij->ij", [(3, 1), (1, 4)]),
    ("broadcast_three", "i,i,i->i", [(1,), (3,), (1,)]),
    ("upper_case", "Ab,bC->AC", [(2, 3), (3, 4)]),
    ("upper_implicit_order", "ba,aC", [(2, 3), (3, 4)]),
    ("spaces", " ij , jk -> ik ", [(3, 4), (4, 5)]),
    ("empty_contracted", "ij,jk->ik", [(3, 0), (0, 2)]),
    ("empty_kept", "ij->j", [(0, 3)]),
]

# (case, equation, operand shapes): calls torch.einsum rejects; wick must throw wick::Error.
EINSUM_ERRORS = [
    ("too_few_operands", "ij,jk->ik", [(3, 4)]),
    ("too_many_operands", "ij,jk->ik", [(3, 4), (4, 5), (5, 2)]),
    ("too_few_subscripts", "ij,jk->ik", [(3, 4, 2), (4, 5)]),
    ("too_many_subscripts", "ijk,jk->ik", [(3, 4), (4, 5)]),
    ("ellipsis_too_many_subscripts", "...ijk", [(3, 4)]),
    ("invalid_character", "i#,jk->ik", [(3, 4), (4, 5)]),
    ("digit", "i1,jk->ik", [(3, 4), (4, 5)]),
    ("output_not_in_input", "ij,jk->iz", [(3, 4), (4, 5)]),
    ("output_repeated", "ij,jk->ii", [(3, 4), (4, 5)]),
    ("size_mismatch", "ij,jk->ik", [(3, 4), (5, 2)]),
    ("ellipsis_mismatch", "...ij,...jk->...ik", [(2, 3, 4), (3, 4, 5)]),
    ("two_ellipses", "...i...,i->i", [(2, 3, 4), (4,)]),
    ("two_output_ellipses", "...i->......i", [(2, 3)]),
    ("lone_dot", "i.j", [(3, 4)]),
    ("repeated_size_mismatch", "ii->i", [(3, 4)]),
]


def gen():
    g = Group("ops_einsum.safetensors")
    torch.manual_seed(20260501)
    names = "abcdefgh"
    for case, equation, shapes in EINSUM:
        g.case(f"einsum.{case}", "einsum", [(names[i], r(*s)) for i, s in enumerate(shapes)], {"equation": equation})
    # Operands that are views: transposed, strided and expanded.
    g.case("einsum.views", "einsum", [("a", r(4, 3)), ("b", r(4, 10)), ("c", r(1, 5))],
           {"equation": "ij,jk,ik->ik"}, views={"a": "T", "b": "step2", "c": "expand:3,5"})
    g.case("einsum.diag_of_T", "einsum", [("a", r(3, 4, 3))], {"equation": "bii->ib"}, views={"a": "perm:1,0,2"})
    # float32: the result's dtype is the operands', computed through float32 bmm.
    g.case("einsum.bmm_f32", "einsum", [("a", r(2, 3, 4, dtype=f32)), ("b", r(2, 4, 5, dtype=f32))],
           {"equation": "bij,bjk->bik"})
    g.case("einsum.bilinear_f32", "einsum",
           [("a", r(2, 3, dtype=f32)), ("b", r(4, 3, 5, dtype=f32)), ("c", r(2, 5, dtype=f32))],
           {"equation": "bn,anm,bm->ba"})
    g.case("einsum.trace_f32", "einsum", [("a", r(5, 5, dtype=f32))], {"equation": "ii"})
    for case, equation, shapes in EINSUM_ERRORS:
        g.case(f"einsum.{case}", "einsum", [(names[i], r(*s)) for i, s in enumerate(shapes)], {"equation": equation},
               error=True)

    def diagonal(case, x, offset=0, dim1=0, dim2=1, **kw):
        g.case(f"diagonal.{case}", "diagonal", [("x", x)], {"offset": offset, "dim1": dim1, "dim2": dim2}, **kw)

    square, wide, cube = r(4, 4), r(4, 5), r(2, 3, 4)
    diagonal("main", square)
    diagonal("wide", wide)
    diagonal("above", wide, 1)
    diagonal("below", wide, -2)
    diagonal("last_above", wide, 4)
    diagonal("past_above", wide, 5)
    diagonal("past_below", wide, -7)
    diagonal("dims_swapped", wide, 1, 1, 0)
    diagonal("3d_dims_0_2", cube, 0, 0, 2)
    diagonal("3d_dims_2_0_above", cube, 1, 2, 0)
    diagonal("3d_negative_dims", cube, -1, -1, -2)
    diagonal("3d_dims_1_2", cube, 2, 1, 2)
    diagonal("empty_input", r(0, 3), 0)
    diagonal("T", r(5, 4), 1, views={"x": "T"})
    diagonal("step2", r(3, 8), -1, views={"x": "step2"})
    diagonal("f32", r(3, 4, dtype=f32), 1)
    diagonal("i64", (r(3, 4) * 4).round().to(i64), -1)
    diagonal("bool", r(3, 4) > 0, 1, 1, 0)
    diagonal("same_dims", cube, 0, 1, 1, error=True)
    diagonal("same_dims_negative", cube, 0, 2, -1, error=True)
    diagonal("dim_out_of_range", cube, 0, 0, 3, error=True)
    diagonal("1d", r(4), error=True)
    g.write()


if __name__ == "__main__":
    print("torch", torch.__version__, file=sys.stderr)
    gen()

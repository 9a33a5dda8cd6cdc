"""Commands that make or read files: print (PDF), import-xlsx, export-xlsx."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from station_desktop.cli.common import EXIT_OK, emit, opened_station, resolve_person


def _print_done(args: argparse.Namespace, result: dict[str, Any]) -> int:
    emit(args, result, lambda: print(
        f"已生成 {result['file']}，共 {result['pages']} 页。" if "pages" in result
        else f"已生成 {result['files']} 个文件，在 {result['folder']}。"))
    return EXIT_OK


def cmd_print(args: argparse.Namespace) -> int:
    """print person|roster|booklets|report|form: PDFs for inspection and archives."""
    from station_desktop.reports import booklet, forms, period, roster_pdf

    if args.print_command == "form":
        return _print_done(args, forms.print_form(args.kind, Path(args.out)))
    with opened_station(args) as (store, svc):
        match args.print_command:
            case "person":
                result = booklet.print_person(svc, resolve_person(svc, args.id), Path(args.out))
            case "booklets":
                result = booklet.print_booklets(
                    svc, Path(args.out), categories=args.category, one_file_each=args.each)
            case "roster":
                result = roster_pdf.print_roster(svc, Path(args.out), categories=args.category)
            case "report":
                from station_desktop.domain.validate import parse_date

                start = parse_date(args.date_from, field="from")
                end = parse_date(args.date_to, field="to")
                result = period.print_report(svc, Path(args.out), start=start, end=end)
    return _print_done(args, result)


def cmd_import_xlsx(args: argparse.Namespace) -> int:
    from station_desktop.services.roster_import import import_roster

    with opened_station(args) as (store, svc):
        report = import_roster(svc, Path(args.file), sheet=args.sheet, dry_run=args.dry_run)
    emit(args, report.to_dict(), lambda: print("\n".join(report.lines())))
    return EXIT_OK


def cmd_export_xlsx(args: argparse.Namespace) -> int:
    from station_desktop.reports.xlsx_export import export_kind

    with opened_station(args) as (store, svc):
        result = export_kind(svc, args.kind, Path(args.out))
    emit(args, result, lambda: print(f"已导出 {result['rows']} 行到 {result['file']}。"))
    return EXIT_OK

/**
 * Dragging drive items onto a folder (a folder row, a breadcrumb link, the sidebar's tree) moves them.
 * The dragged items stay in this module: a drag never leaves the page, and a drop of files from the
 * desktop (type "Files") is an upload, not a move.
 */
import type { DragEvent } from "react";
import type { FileItem } from "./api";

const TYPE = "application/x-polaris-items";
let dragged: FileItem[] = [];
let onDropHandler: ((items: FileItem[], targetId: string) => void) | null = null;

export function startDrag(e: DragEvent, items: FileItem[]) {
  dragged = items;
  e.dataTransfer.setData(TYPE, items.map((i) => i.identity).join(","));
  e.dataTransfer.effectAllowed = "move";
}

/** The drive on screen says what a drop does (a move with its name-clash question). */
export function setDropHandler(handler: typeof onDropHandler) {
  onDropHandler = handler;
  return () => {
    if (onDropHandler === handler) onDropHandler = null;
  };
}

const isItemDrag = (e: DragEvent) => e.dataTransfer.types.includes(TYPE);

/** Props that make an element a drop target for folder `targetId`. */
export function dropTarget(targetId: string) {
  return {
    onDragOver(e: DragEvent) {
      if (!isItemDrag(e) || dragged.some((i) => i.identity === targetId)) return;
      e.preventDefault();
      e.stopPropagation();
      e.dataTransfer.dropEffect = "move";
      (e.currentTarget as HTMLElement).classList.add("drop-over");
    },
    onDragLeave(e: DragEvent) {
      (e.currentTarget as HTMLElement).classList.remove("drop-over");
    },
    onDrop(e: DragEvent) {
      (e.currentTarget as HTMLElement).classList.remove("drop-over");
      if (!isItemDrag(e)) return;
      e.preventDefault();
      e.stopPropagation();
      const items = dragged;
      dragged = [];
      if (items.length && !items.some((i) => i.identity === targetId)) onDropHandler?.(items, targetId);
    },
  };
}

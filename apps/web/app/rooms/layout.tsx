import type { ReactNode } from 'react';
import './rooms.css';

export default function RoomsLayout({ children }: { children: ReactNode }) {
  return children;
}
